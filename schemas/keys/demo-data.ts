/** Written once the local demo data is complete, so a later start knows not to load it again. */
export const demoDataMarkerKey = { pk: 'LOCAL#demo-data', sk: 'LOADED' };
