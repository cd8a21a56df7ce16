// What Logstash reports about one pipeline's reloads (successes, failures, the last error and when each last
// happened); the reload procedure writes it, the monitoring API reads it.

export interface ReloadError {
  message: string;
  /** Every diagnostic of the failed attempt, one per line (Logstash puts a Ruby backtrace here). */
  backtrace: string[];
}

export class ReloadStats {
  successes = 0;
  failures = 0;
  lastError: ReloadError | null = null;
  lastSuccessAt: Date | null = null;
  lastFailureAt: Date | null = null;

  recordSuccess(at = new Date()): void {
    this.successes++;
    this.lastSuccessAt = at;
  }

  recordFailure(error: ReloadError, at = new Date()): void {
    this.failures++;
    this.lastError = error;
    this.lastFailureAt = at;
  }
}
