/**
 * The AWS SDK warns once per process that its 2027 releases will need Node 22. On Node 20 (what these
 * machines have) that is noise on every start; the README says it once instead. Import for the effect.
 */
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = ((warning: string | Error, ...rest: never[]) => {
  if (!String(warning).startsWith('NodeVersionSupportWarning')) emitWarning(warning, ...rest);
}) as typeof process.emitWarning;
