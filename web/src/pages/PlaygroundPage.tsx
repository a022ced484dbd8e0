import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import type { SystemConfig } from '../../../sdk/types.js';
import { client, errorText } from '../api/client.js';
import { savePrompt, startRun } from '../api/launch.js';
import { useMetrics, useSystems, useSystemVersion, useTestcases, useTestsets } from '../api/queries.js';
import { JsonViewer } from '../components/JsonViewer.js';
import { LaunchFooter } from '../components/LaunchFooter.js';
import { MetricPicker } from '../components/MetricPicker.js';
import { Modal } from '../components/Modal.js';
import { type ChatConfig, DEFAULT_PROMPT, PromptEditor } from '../components/PromptEditor.js';
import { ms, preview, usd } from '../lib/format.js';
import { useUrlState } from '../lib/search-params.js';
import { usePageTitle } from '../lib/title.js';

/**
 * Try a prompt (or a saved system version) on one testcase and read the output at once; then Kickoff Run
 * turns it into a run with source `playground`, the prompt saved as a new system version.
 */
export default function PlaygroundPage() {
  usePageTitle('Playground');
  const { projectId = '' } = useParams();
  const url = useUrlState();
  const systems = useSystems(projectId);
  const testsets = useTestsets(projectId);
  const [mode, setMode] = useState<'prompt' | 'version'>(url.get('version') ? 'version' : 'prompt');
  const versionId = url.get('version') ?? '';
  const version = useSystemVersion(mode === 'version' ? versionId : undefined);
  const [prompt, setPrompt] = useState<ChatConfig>(DEFAULT_PROMPT);
  const testsetId = url.get('testset') ?? testsets.data?.[0]?.id;
  const testcases = useTestcases(testsetId);
  const testcaseId = url.get('testcase') ?? testcases.data?.data[0]?.id;
  const testcase = testcases.data?.data.find((t) => t.id === testcaseId);
  const [kickoff, setKickoff] = useState(false);

  const run = useMutation({
    mutationFn: () =>
      client().playground.run(projectId, {
        ...(mode === 'version' ? { systemVersionId: versionId } : { config: prompt as SystemConfig }),
        testcaseId: testcaseId!,
      }),
  });
  const editable = version.data?.config.type === 'openai_chat' ? (version.data.config as ChatConfig) : null;

  return (
    <>
      <header className="page-head">
        <div>
          <h1>Playground</h1>
          <p className="muted">
            Run a prompt on one testcase and see the answer; nothing is stored until you kick off a run.
          </p>
        </div>
        <button
          type="button"
          className="primary"
          onClick={() => setKickoff(true)}
          disabled={mode === 'version' && !versionId}
        >
          Kickoff run
        </button>
      </header>
      <div className="playground">
        <section className="card stack" aria-labelledby="pg-system">
          <h2 id="pg-system">System</h2>
          <div className="radio-row" role="radiogroup" aria-label="What to run">
            <label className="check">
              <input type="radio" name="pg-mode" checked={mode === 'prompt'} onChange={() => setMode('prompt')} />
              Edit a prompt
            </label>
            <label className="check">
              <input type="radio" name="pg-mode" checked={mode === 'version'} onChange={() => setMode('version')} />
              Saved system version
            </label>
          </div>
          {mode === 'version' ? (
            <>
              <div className="field">
                <label htmlFor="pg-version">System version</label>
                <select id="pg-version" value={versionId} onChange={(e) => url.set({ version: e.target.value })}>
                  <option value="">Choose a version…</option>
                  {systems.data?.list.map((s) => (
                    <optgroup key={s.id} label={s.name}>
                      {s.versions.map((v) => (
                        <option key={v.id} value={v.id}>
                          {s.name} · {v.name}
                        </option>
                      ))}
                    </optgroup>
                  ))}
                </select>
              </div>
              {version.data && <JsonViewer label="Version config" value={version.data.config} openDepth={3} />}
              {editable && (
                <button
                  type="button"
                  onClick={() => {
                    setPrompt(editable);
                    setMode('prompt');
                  }}
                >
                  Edit as a new prompt
                </button>
              )}
            </>
          ) : (
            <PromptEditor idPrefix="pg" value={prompt} onChange={setPrompt} />
          )}
        </section>
        <section className="card stack" aria-labelledby="pg-testcase">
          <h2 id="pg-testcase">Testcase</h2>
          <div className="field-row">
            <div className="field">
              <label htmlFor="pg-testset">Testset</label>
              <select
                id="pg-testset"
                value={testsetId ?? ''}
                onChange={(e) => url.set({ testset: e.target.value, testcase: undefined })}
              >
                {!testsets.data?.length && <option value="">No testsets yet</option>}
                {testsets.data?.map((t) => (
                  <option key={t.id} value={t.id}>
                    {t.name}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="pg-case">Testcase</label>
              <select id="pg-case" value={testcaseId ?? ''} onChange={(e) => url.set({ testcase: e.target.value })}>
                {testcases.data?.data.map((t, i) => (
                  <option key={t.id} value={t.id}>
                    #{i + 1} {preview(t.inputs, 60)}
                  </option>
                ))}
              </select>
            </div>
          </div>
          {testcase && <JsonViewer label="Testcase inputs" value={testcase.inputs} />}
          <button
            type="button"
            className="primary"
            disabled={!testcaseId || run.isPending || (mode === 'version' && !versionId)}
            onClick={() => run.mutate()}
          >
            {run.isPending ? 'Running…' : 'Run'}
          </button>
          {run.error && (
            <p className="error-note" role="alert">
              {errorText(run.error)}
            </p>
          )}
          {run.data && (
            <section className="playground-result" aria-live="polite" aria-label="Result">
              <h3>{run.data.status === 'completed' ? 'Output' : 'The system failed'}</h3>
              {run.data.error && (
                <p className="error-note" role="alert">
                  {run.data.error}
                </p>
              )}
              {run.data.status === 'completed' && <JsonViewer label="Output" value={run.data.outputs} />}
              <p className="muted small">
                {ms(run.data.latencyMs)} ·{' '}
                {run.data.usage
                  ? `${run.data.usage.promptTokens} + ${run.data.usage.completionTokens} tokens`
                  : 'no usage'}{' '}
                · {usd(run.data.costUsd)}
              </p>
              <h3>Expected</h3>
              <JsonViewer label="Expected output" value={run.data.expected} />
            </section>
          )}
        </section>
      </div>
      {kickoff && (
        <PlaygroundKickoff
          projectId={projectId}
          testsetId={testsetId}
          system={mode === 'version' ? { versionId } : { config: prompt }}
          onClose={() => setKickoff(false)}
        />
      )}
    </>
  );
}

function PlaygroundKickoff({
  projectId,
  testsetId: initialTestset,
  system,
  onClose,
}: {
  projectId: string;
  testsetId: string | undefined;
  system: { versionId: string } | { config: ChatConfig };
  onClose: () => void;
}) {
  const testsets = useTestsets(projectId);
  const metrics = useMetrics(projectId);
  const [testsetId, setTestsetId] = useState(initialTestset ?? '');
  const [metricIds, setMetricIds] = useState<string[]>([]);
  const navigate = useNavigate();
  const queries = useQueryClient();
  const launch = useMutation({
    mutationFn: async () => {
      const systemVersionId =
        'versionId' in system
          ? system.versionId
          : (await savePrompt(projectId, system.config as SystemConfig, 'playground')).id;
      return startRun(projectId, { testsetId, metricIds, systemVersionId, source: 'playground' });
    },
    onSuccess: (run) => {
      void queries.invalidateQueries({ queryKey: ['runs', projectId] });
      void queries.invalidateQueries({ queryKey: ['systems', projectId] });
      onClose();
      navigate(`/projects/${projectId}/runs/${run.id}`);
    },
  });
  return (
    <Modal title="Kickoff run from the Playground" onClose={onClose}>
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          launch.mutate();
        }}
      >
        <p className="muted small">
          {'config' in system
            ? 'The prompt is saved as a new version of the "Playground prompts" system (or reuses the version with the same prompt).'
            : 'The run uses the saved system version you picked.'}
        </p>
        <div className="field">
          <label htmlFor="pgk-testset">Testset</label>
          <select id="pgk-testset" value={testsetId} onChange={(e) => setTestsetId(e.target.value)} required>
            <option value="">Choose a testset…</option>
            {testsets.data?.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name} ({t.numTestcases} testcases)
              </option>
            ))}
          </select>
        </div>
        <MetricPicker legend="Metrics" metrics={metrics.data?.list ?? []} chosen={metricIds} onChange={setMetricIds} />
        <LaunchFooter
          label="Start run"
          ready={!!testsetId}
          pending={launch.isPending}
          error={launch.error}
          onClose={onClose}
        />
      </form>
    </Modal>
  );
}
