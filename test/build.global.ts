// Builds dist/ once per test run: the CLI tests and the CLI reference's examples run the
// built `leibniz` command, as a user gets it.
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
}
