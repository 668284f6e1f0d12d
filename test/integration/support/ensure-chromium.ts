// `npm test` runs this first: the page tests drive Debian's Chromium (a test tool's own browser
// download is not possible on the CI machines). Installs it with apt-get when missing and run as root.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

if (existsSync(CHROMIUM)) process.exit(0);
if (process.getuid?.() !== 0) {
  console.error(`${CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium), or set CHROMIUM_PATH.`);
  process.exit(1);
}
console.log(`${CHROMIUM} is missing: installing Debian's chromium package`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium'], { stdio: 'inherit', env });
