/**
 * Step Functions history events of a run, computed from the ASL itself. Event counts per state type follow the
 * execution history AWS records for a Standard workflow:
 * - a Task: TaskStateEntered and TaskStateExited, plus per attempt TaskScheduled, TaskStarted and one of
 *   TaskSucceeded/TaskFailed/TaskTimedOut; a `.waitForTaskToken` task adds TaskSubmitted per attempt;
 * - a Choice: ChoiceStateEntered, ChoiceStateExited;
 * - an inline Map: MapStateEntered, MapStateStarted, MapStateSucceeded, MapStateExited, and per iteration
 *   MapIterationStarted/Succeeded plus the iteration's own states, all in the parent's history;
 * - a Distributed Map: MapStateEntered, MapRunStarted, MapRunSucceeded, MapStateExited in the parent; each
 *   iteration is a child execution with its own history (ExecutionStarted/Succeeded plus its states);
 * - the execution: ExecutionStarted, ExecutionSucceeded.
 * Worst case: every Task makes every attempt its Retry allows (1 + the sum of MaxAttempts, 3 where unset) and the
 * path taken is the longest one through Next, Choices, Default and Catch. Otherwise nothing fails: one attempt
 * each, no Catch.
 */

interface Retrier {
  MaxAttempts?: number;
}
interface StateDef {
  Type: string;
  Resource?: string;
  Next?: string;
  Default?: string;
  End?: boolean;
  Choices?: Array<{ Next: string }>;
  Catch?: Array<{ Next: string }>;
  Retry?: Retrier[];
  ItemProcessor?: Machine;
  Iterator?: Machine;
}
export interface Machine {
  StartAt: string;
  States: Record<string, StateDef>;
}

export interface Scenario {
  /** Every Task retries as often as its Retry allows. */
  worstCase: boolean;
  /** Iterations of each Map (the run's batches). */
  mapItems: number;
}

/** Events of one state, children excluded; for a Map, its iterations as the parent's history records them. */
function stateEvents(state: StateDef, scenario: Scenario): { own: number; child: number } {
  switch (state.Type) {
    case 'Task': {
      const perAttempt = state.Resource?.endsWith('.waitForTaskToken') ? 4 : 3;
      const retries = scenario.worstCase ? (state.Retry ?? []).reduce((n, r) => n + (r.MaxAttempts ?? 3), 0) : 0;
      return { own: 2 + perAttempt * (1 + retries), child: 0 };
    }
    case 'Choice':
    case 'Pass':
    case 'Succeed':
    case 'Fail':
    case 'Wait':
      return { own: 2, child: 0 };
    case 'Map': {
      const body = state.ItemProcessor ?? state.Iterator;
      if (!body) throw new Error('a Map without ItemProcessor');
      const iteration = longestPath(body, scenario);
      const distributed = (body as { ProcessorConfig?: { Mode?: string } }).ProcessorConfig?.Mode === 'DISTRIBUTED';
      if (distributed) {
        // Each iteration's history is its own child execution's.
        return { own: 4, child: 2 + iteration.own };
      }
      return {
        own: 4 + scenario.mapItems * (2 + iteration.own),
        child: iteration.child,
      };
    }
    default:
      throw new Error(`no event model for a ${state.Type} state`);
  }
}

/** The most events any path from StartAt to an end can record, in this machine's history and in a child's. */
export function longestPath(machine: Machine, scenario: Scenario): { own: number; child: number } {
  const memo = new Map<string, { own: number; child: number }>();
  const visit = (name: string, depth: number): { own: number; child: number } => {
    if (depth > 100) throw new Error(`a cycle through ${name}: the history has no bound`);
    const cached = memo.get(name);
    if (cached) return cached;
    const state = machine.States[name];
    if (!state) throw new Error(`no state ${name}`);
    const here = stateEvents(state, scenario);
    const nexts = [
      state.Next,
      state.Default,
      ...(state.Choices ?? []).map((c) => c.Next),
      // A caught failure is a path only when tasks fail; without retries nothing fails.
      ...(scenario.worstCase ? (state.Catch ?? []).map((c) => c.Next) : []),
    ].filter((n): n is string => Boolean(n));
    let best = { own: 0, child: 0 };
    for (const next of new Set(nexts)) {
      const rest = visit(next, depth + 1);
      best = { own: Math.max(best.own, rest.own), child: Math.max(best.child, rest.child) };
    }
    const total = { own: here.own + best.own, child: Math.max(here.child, best.child) };
    memo.set(name, total);
    return total;
  };
  return visit(machine.StartAt, 0);
}

/** A whole execution's history (ExecutionStarted/Succeeded included), and the largest child execution's. */
export function executionEvents(machine: Machine, scenario: Scenario) {
  const path = longestPath(machine, scenario);
  return { parent: 2 + path.own, largestChild: path.child };
}
