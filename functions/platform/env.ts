/**
 * A setting the CDK app gives the function in its environment (the table's name, the bus, the mail
 * sender...). Read when it is used, not when the module loads, so a module serves functions that do not
 * use all of its settings; a missing or empty one is a deployment fault and throws, naming the variable.
 */
export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`the function's environment has no ${name} (set by the CDK app)`);
  return value;
}
