// An input Sluice declares for config compatibility but cannot run (its service is out of reach): every run
// refuses with InputUnavailableError, which the runtime logs once and does not restart.

import { type Input, InputUnavailableError } from "../api.js";

export class UnavailableInput implements Input {
  constructor(private readonly message: string) {}

  async run(): Promise<void> {
    throw new InputUnavailableError(this.message);
  }

  stop(): void {}
}
