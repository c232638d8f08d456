import { ConfigError } from '../platform/config/config.js';
import { tokenCommand } from './token-command.js';

/** `npm run token -- --role ADMIN [--org ID] [--iin IIN] [--sub NAME] [--hours 12]` prints a JWT. */
function main(): void {
  try {
    const r = tokenCommand(process.argv.slice(2));
    if (r.stdout) process.stdout.write(r.stdout);
    if (r.stderr) process.stderr.write(r.stderr);
    process.exitCode = r.code;
  } catch (e) {
    process.stderr.write(`${e instanceof ConfigError ? e.message : (e as Error).message}\n`);
    process.exitCode = 1;
  }
}

main();
