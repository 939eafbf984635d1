/**
 * The source and target accounts of pipeline-fixtures (FakeAccount), for tests that need only their clients and the
 * commands sent, in order: the cleanup and the post step.
 */
import type { Side } from '../../src/domain/types.js';
import { SOURCE_ACCOUNT, TARGET_ACCOUNT } from './accounts.js';
import { FakeAccount, type SentCommand } from './pipeline-fixtures.js';

export { awsError, FakeAccount } from './pipeline-fixtures.js';

/** Records, in order, every command sent through the fake accounts sharing it. */
export class CommandLog {
  readonly commands: SentCommand[] = [];

  /** Every command as [side, command name without "Command", input]. */
  get sent(): [Side, string, unknown][] {
    return this.commands.map((c) => [c.side, c.command, c.input]);
  }

  /** Commands of one account, as [command, input]. */
  of(side: Side): [string, unknown][] {
    return this.commands.filter((c) => c.side === side).map((c) => [c.command, c.input]);
  }

  /** Command names only, as "side Command". */
  names(): string[] {
    return this.commands.map((c) => `${c.side} ${c.command}`);
  }
}

export function fakeAccount(side: Side, regions: readonly string[], log: CommandLog): FakeAccount {
  return new FakeAccount(side, side === 'source' ? SOURCE_ACCOUNT : TARGET_ACCOUNT, regions, log.commands);
}
