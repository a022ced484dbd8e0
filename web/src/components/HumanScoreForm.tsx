import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { Metric, Score, ScoreValue } from '../../../sdk/types.js';
import { client, errorText } from '../api/client.js';

/** Scores a record by hand for a human metric (PUT /records/{id}/scores/{metricConfigId}). */
export function HumanScoreForm({
  recordId,
  runId,
  metric,
  versionId,
  current,
}: {
  recordId: string;
  runId: string;
  metric: Metric;
  versionId: string;
  current: Score | undefined;
}) {
  const queries = useQueryClient();
  const initial = current?.score;
  const [binary, setBinary] = useState<boolean | null>(initial?.binaryScore ?? null);
  const [value, setValue] = useState<string>(
    initial?.intScore !== undefined
      ? String(initial.intScore)
      : initial?.floatScore !== undefined
        ? String(initial.floatScore)
        : '',
  );
  const [reasoning, setReasoning] = useState(initial?.reasoning ?? '');
  const save = useMutation({
    mutationFn: () => {
      const score: ScoreValue =
        metric.outputType === 'boolean'
          ? { binaryScore: binary ?? false, reasoning }
          : metric.outputType === 'int'
            ? { intScore: Number.parseInt(value, 10), reasoning }
            : { floatScore: Number.parseFloat(value), reasoning };
      return client().scores.upsert(recordId, versionId, score);
    },
    onSuccess: () => {
      void queries.invalidateQueries({ queryKey: ['record', recordId] });
      void queries.invalidateQueries({ queryKey: ['run', runId] });
      void queries.invalidateQueries({ queryKey: ['run-records', runId] });
    },
  });
  const id = `human-${metric.id}`;
  const ready =
    metric.outputType === 'boolean' ? binary !== null : value.trim() !== '' && Number.isFinite(Number(value));
  return (
    <form
      className="human-score stack"
      aria-label={`Score ${metric.name}`}
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      {metric.outputType === 'boolean' ? (
        <fieldset className="radio-row">
          <legend>Your verdict</legend>
          <label className="check">
            <input type="radio" name={`${id}-binary`} checked={binary === true} onChange={() => setBinary(true)} />
            Pass
          </label>
          <label className="check">
            <input type="radio" name={`${id}-binary`} checked={binary === false} onChange={() => setBinary(false)} />
            Fail
          </label>
        </fieldset>
      ) : (
        <div className="field narrow">
          <label htmlFor={`${id}-value`}>{metric.outputType === 'int' ? 'Score (1–5)' : 'Score (0–1)'}</label>
          <input
            id={`${id}-value`}
            type="number"
            min={metric.outputType === 'int' ? 1 : 0}
            max={metric.outputType === 'int' ? 5 : 1}
            step={metric.outputType === 'int' ? 1 : 0.01}
            value={value}
            onChange={(e) => setValue(e.target.value)}
          />
        </div>
      )}
      <label htmlFor={`${id}-reasoning`}>Reasoning</label>
      <textarea id={`${id}-reasoning`} rows={2} value={reasoning} onChange={(e) => setReasoning(e.target.value)} />
      <div className="row">
        <button type="submit" className="primary" disabled={!ready || save.isPending}>
          {save.isPending ? 'Saving…' : current?.status === 'completed' ? 'Update score' : 'Save score'}
        </button>
        {save.isSuccess && (
          <span className="text-good small" role="status">
            Score saved
          </span>
        )}
        {save.error && (
          <span className="error-note" role="alert">
            {errorText(save.error)}
          </span>
        )}
      </div>
    </form>
  );
}
