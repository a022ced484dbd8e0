/**
 * Concurrency permits shared by every worker of a deployment. On AWS each batch is its own Lambda, so a limit
 * kept in one process bounds nothing: a run's budget (and an organization's ceiling) is a pool of permits in
 * the table, leased by worker processes.
 */
export interface PermitStore {
  /**
   * Sets what `holder` holds of `pool` to `want` permits, or to as many as are free (at most `limit` held by
   * everyone whose lease is live); answers how many it now holds. The lease lives `leaseMs` from `nowMs`, so
   * the permits of a worker that died come back by themselves. `want` 0 releases.
   */
  hold(pool: string, holder: string, want: number, limit: number, leaseMs: number, nowMs: number): Promise<number>;
}
