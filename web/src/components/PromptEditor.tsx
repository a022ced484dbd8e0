import type { SystemConfig } from '../../../sdk/types.js';

export type ChatConfig = Extract<SystemConfig, { type: 'openai_chat' }>;
type Role = ChatConfig['messages'][number]['role'];

export const DEFAULT_PROMPT: ChatConfig = {
  type: 'openai_chat',
  model: 'gpt-4o-mini',
  temperature: 0,
  maxTokens: 512,
  messages: [
    { role: 'system', content: 'You are a helpful assistant. Answer briefly.' },
    { role: 'user', content: '{{ question }}' },
  ],
};

/** A hosted `openai_chat` prompt: model, LLM parameters and Jinja messages over the testcase's inputs. */
export function PromptEditor({
  value,
  onChange,
  idPrefix,
}: {
  value: ChatConfig;
  onChange: (c: ChatConfig) => void;
  idPrefix: string;
}) {
  const set = (patch: Partial<ChatConfig>) => onChange({ ...value, ...patch });
  const setMessage = (i: number, patch: Partial<ChatConfig['messages'][number]>) =>
    set({ messages: value.messages.map((m, j) => (j === i ? { ...m, ...patch } : m)) });
  return (
    <div className="prompt-editor">
      <div className="field-row">
        <div className="field">
          <label htmlFor={`${idPrefix}-model`}>Model</label>
          <input
            id={`${idPrefix}-model`}
            value={value.model}
            onChange={(e) => set({ model: e.target.value })}
            required
          />
        </div>
        <div className="field narrow">
          <label htmlFor={`${idPrefix}-temperature`}>Temperature</label>
          <input
            id={`${idPrefix}-temperature`}
            type="number"
            min={0}
            max={2}
            step={0.1}
            value={value.temperature ?? ''}
            onChange={(e) => set({ temperature: e.target.value === '' ? undefined : Number(e.target.value) })}
          />
        </div>
        <div className="field narrow">
          <label htmlFor={`${idPrefix}-max-tokens`}>Max tokens</label>
          <input
            id={`${idPrefix}-max-tokens`}
            type="number"
            min={1}
            step={1}
            value={value.maxTokens ?? ''}
            onChange={(e) => set({ maxTokens: e.target.value === '' ? undefined : Number(e.target.value) })}
          />
        </div>
      </div>
      <fieldset className="messages">
        <legend>Messages</legend>
        <p className="muted small">
          Jinja templates over the testcase inputs: <code>{'{{ question }}'}</code> or{' '}
          <code>{'{{ inputs.question }}'}</code>.
        </p>
        {value.messages.map((m, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: messages have no identity but their position
          <div className="message" key={i}>
            <label className="sr-only" htmlFor={`${idPrefix}-role-${i}`}>
              Role of message {i + 1}
            </label>
            <select
              id={`${idPrefix}-role-${i}`}
              value={m.role}
              onChange={(e) => setMessage(i, { role: e.target.value as Role })}
            >
              <option value="system">system</option>
              <option value="user">user</option>
              <option value="assistant">assistant</option>
              <option value="developer">developer</option>
            </select>
            <label className="sr-only" htmlFor={`${idPrefix}-content-${i}`}>
              Content of message {i + 1}
            </label>
            <textarea
              id={`${idPrefix}-content-${i}`}
              rows={m.role === 'system' ? 2 : 3}
              value={m.content}
              onChange={(e) => setMessage(i, { content: e.target.value })}
            />
            <button
              type="button"
              className="icon-button"
              aria-label={`Remove message ${i + 1}`}
              disabled={value.messages.length <= 1}
              onClick={() => set({ messages: value.messages.filter((_, j) => j !== i) })}
            >
              ✕
            </button>
          </div>
        ))}
        <button
          type="button"
          className="link-button"
          onClick={() => set({ messages: [...value.messages, { role: 'user', content: '' }] })}
        >
          + Add message
        </button>
      </fieldset>
    </div>
  );
}
