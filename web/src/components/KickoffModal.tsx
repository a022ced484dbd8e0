import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import type { Run, SystemConfig } from '../../../sdk/types.js';
import { errorText } from '../api/client.js';
import { savePrompt, startGithubRun, startRun } from '../api/launch.js';
import { useGithubConnection, useMetrics, useSystems, useTestsets } from '../api/queries.js';
import { LaunchFooter } from './LaunchFooter.js';
import { MetricPicker } from './MetricPicker.js';
import { Modal } from './Modal.js';
import { type ChatConfig, DEFAULT_PROMPT, PromptEditor } from './PromptEditor.js';

export interface KickoffPrefill {
  testsetId?: string | null;
  metricIds?: string[];
  systemVersionId?: string | null;
  config?: ChatConfig;
}

/**
 * The Kickoff Run modal: a testset, metrics, and a saved system version or a hosted `openai_chat` prompt; it
 * starts a run with source `kickoff` and lands on its details page. Its GitHub tab is for the team's real system.
 */
export default function KickoffModal({
  projectId,
  prefill = {},
  onClose,
}: {
  projectId: string;
  prefill?: KickoffPrefill;
  onClose: () => void;
}) {
  const [tab, setTab] = useState<'hosted' | 'github'>('hosted');
  return (
    <Modal title="Kickoff run" onClose={onClose} wide>
      <div className="tabs" role="tablist" aria-label="Where the system runs">
        <button
          type="button"
          role="tab"
          id="tab-hosted"
          aria-selected={tab === 'hosted'}
          aria-controls="panel-hosted"
          onClick={() => setTab('hosted')}
        >
          Verdict (hosted)
        </button>
        <button
          type="button"
          role="tab"
          id="tab-github"
          aria-selected={tab === 'github'}
          aria-controls="panel-github"
          onClick={() => setTab('github')}
        >
          GitHub
        </button>
      </div>
      {tab === 'hosted' ? (
        <HostedKickoff projectId={projectId} prefill={prefill} onClose={onClose} />
      ) : (
        <GitHubKickoff projectId={projectId} prefill={prefill} onClose={onClose} />
      )}
    </Modal>
  );
}

function HostedKickoff({
  projectId,
  prefill,
  onClose,
}: {
  projectId: string;
  prefill: KickoffPrefill;
  onClose: () => void;
}) {
  const metrics = useMetrics(projectId);
  const systems = useSystems(projectId);
  const [testsetId, setTestsetId] = useState(prefill.testsetId ?? '');
  const [metricIds, setMetricIds] = useState<string[]>(prefill.metricIds ?? []);
  const [mode, setMode] = useState<'version' | 'prompt'>(
    prefill.config || !prefill.systemVersionId ? 'prompt' : 'version',
  );
  const [versionId, setVersionId] = useState(prefill.systemVersionId ?? '');
  const [prompt, setPrompt] = useState<ChatConfig>(prefill.config ?? DEFAULT_PROMPT);
  const [name, setName] = useState('');

  const launch = useRunLaunch(projectId, onClose, async () => {
    const systemVersionId =
      mode === 'version' ? versionId : (await savePrompt(projectId, prompt as SystemConfig, 'kickoff')).id;
    return startRun(projectId, { testsetId, metricIds, systemVersionId, source: 'kickoff', name });
  });
  const ready = testsetId && (mode === 'prompt' ? prompt.model.trim() : versionId);

  return (
    <form
      id="panel-hosted"
      role="tabpanel"
      aria-labelledby="tab-hosted"
      className="stack"
      onSubmit={(e) => {
        e.preventDefault();
        launch.mutate();
      }}
    >
      <TestsetField projectId={projectId} idPrefix="kickoff" value={testsetId} onChange={setTestsetId} />
      <MetricPicker legend="Metrics" metrics={metrics.data?.list ?? []} chosen={metricIds} onChange={setMetricIds} />
      <fieldset>
        <legend>System</legend>
        <div className="radio-row">
          <label className="check">
            <input type="radio" name="kickoff-mode" checked={mode === 'prompt'} onChange={() => setMode('prompt')} />
            Prompt (an LLM on Verdict's servers)
          </label>
          <label className="check">
            <input type="radio" name="kickoff-mode" checked={mode === 'version'} onChange={() => setMode('version')} />
            Saved system version
          </label>
        </div>
        {mode === 'version' ? (
          <div className="field">
            <label htmlFor="kickoff-version">System version</label>
            <select id="kickoff-version" value={versionId} onChange={(e) => setVersionId(e.target.value)} required>
              <option value="">Choose a version…</option>
              {systems.data?.list.map((s) => (
                <optgroup key={s.id} label={s.name}>
                  {s.versions.map((v) => (
                    <option key={v.id} value={v.id}>
                      {s.name} · {v.name}
                      {s.productionVersion?.id === v.id ? ' (production)' : ''}
                    </option>
                  ))}
                </optgroup>
              ))}
            </select>
          </div>
        ) : (
          <PromptEditor idPrefix="kickoff" value={prompt} onChange={setPrompt} />
        )}
      </fieldset>
      <RunNameField idPrefix="kickoff" value={name} onChange={setName} />
      <LaunchFooter
        label="Start run"
        ready={!!ready}
        pending={launch.isPending}
        error={launch.error}
        onClose={onClose}
      />
    </form>
  );
}

/**
 * Starting a run from either tab: once it is created the lists that show it are refreshed (a saved prompt adds a
 * system version), the modal closes and the run's page opens.
 */
function useRunLaunch(projectId: string, onClose: () => void, start: () => Promise<Run>) {
  const navigate = useNavigate();
  const queries = useQueryClient();
  return useMutation({
    mutationFn: start,
    onSuccess: (run) => {
      void queries.invalidateQueries({ queryKey: ['runs', projectId] });
      void queries.invalidateQueries({ queryKey: ['systems', projectId] });
      onClose();
      navigate(`/projects/${projectId}/runs/${run.id}`);
    },
  });
}

function RunNameField({
  idPrefix,
  value,
  onChange,
}: {
  idPrefix: string;
  value: string;
  onChange: (name: string) => void;
}) {
  return (
    <div className="field">
      <label htmlFor={`${idPrefix}-name`}>Run name (optional)</label>
      <input id={`${idPrefix}-name`} value={value} onChange={(e) => onChange(e.target.value)} />
    </div>
  );
}

/** The testset picker both tabs share. */
function TestsetField({
  projectId,
  idPrefix,
  value,
  onChange,
}: {
  projectId: string;
  idPrefix: string;
  value: string;
  onChange: (id: string) => void;
}) {
  const testsets = useTestsets(projectId);
  return (
    <div className="field">
      <label htmlFor={`${idPrefix}-testset`}>Testset</label>
      <select id={`${idPrefix}-testset`} value={value} onChange={(e) => onChange(e.target.value)} required>
        <option value="">Choose a testset…</option>
        {testsets.data?.map((t) => (
          <option key={t.id} value={t.id}>
            {t.name} ({t.numTestcases} testcases)
          </option>
        ))}
      </select>
    </div>
  );
}

/**
 * The GitHub tab: with a connection, a testset and metrics start the project's workflow (`execution: "github"`),
 * which runs the team's own system and fills the run; without one, how to set it up.
 */
function GitHubKickoff({
  projectId,
  prefill,
  onClose,
}: {
  projectId: string;
  prefill: KickoffPrefill;
  onClose: () => void;
}) {
  const connection = useGithubConnection(projectId);
  const metrics = useMetrics(projectId);
  const [testsetId, setTestsetId] = useState(prefill.testsetId ?? '');
  const [metricIds, setMetricIds] = useState<string[]>(prefill.metricIds ?? []);
  const [name, setName] = useState('');
  const launch = useRunLaunch(projectId, onClose, () => startGithubRun(projectId, { testsetId, metricIds, name }));

  if (connection.isPending) return <p className="muted">Loading the GitHub connection…</p>;
  if (connection.error)
    return (
      <p className="error-note" role="alert">
        {errorText(connection.error)}
      </p>
    );
  const linked = connection.data;
  if (!linked) return <GitHubSetup />;
  return (
    <form
      id="panel-github"
      role="tabpanel"
      aria-labelledby="tab-github"
      className="stack"
      onSubmit={(e) => {
        e.preventDefault();
        launch.mutate();
      }}
    >
      <p>
        Starts <code>{linked.workflow}</code> in{' '}
        <code>
          {linked.owner}/{linked.repo}
        </code>{' '}
        on <code>{linked.ref}</code>. The workflow runs your own system on every testcase and posts the records here;
        the run waits for them.
      </p>
      <TestsetField projectId={projectId} idPrefix="github" value={testsetId} onChange={setTestsetId} />
      <MetricPicker legend="Metrics" metrics={metrics.data?.list ?? []} chosen={metricIds} onChange={setMetricIds} />
      <RunNameField idPrefix="github" value={name} onChange={setName} />
      <LaunchFooter
        label="Start in GitHub"
        ready={!!testsetId}
        pending={launch.isPending}
        error={launch.error}
        onClose={onClose}
      />
    </form>
  );
}

function GitHubSetup() {
  return (
    <div id="panel-github" role="tabpanel" aria-labelledby="tab-github" className="stack">
      <h3>No GitHub connection is configured</h3>
      <p>
        This tab triggers your real system through your GitHub Actions workflow. This project has no GitHub connection
        yet. To add one:
      </p>
      <ol className="steps">
        <li>
          Add the evaluation workflow from <code>docs/ci.md</code> to your repository: it runs{' '}
          <code>npx verdict run --module …</code> against your own code and posts every record here.
        </li>
        <li>
          Store <code>VERDICT_API_URL</code> and a <code>VERDICT_API_KEY</code> (create one with{' '}
          <code>npm run keys -- create --name github</code>) as the repository's Actions secrets.
        </li>
        <li>
          Give the workflow a <code>workflow_dispatch</code> trigger, then connect it to this project with{' '}
          <code>PUT /api/v2/projects/{'{projectId}'}/github</code> (owner, repo, workflow file, ref and a token that may
          dispatch it). The run then starts from here.
        </li>
      </ol>
    </div>
  );
}
