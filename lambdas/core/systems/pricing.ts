import * as z from 'zod';
import type { Usage } from '../schemas/record.js';

/** USD per one million tokens. */
export interface ModelPrice {
  inputPerMTok: number;
  outputPerMTok: number;
}
export type PriceTable = Readonly<Record<string, ModelPrice>>;

/**
 * OpenAI list prices (standard tier, uncached input) as published in 2025. They change: treat them as
 * estimates and override them with VERDICT_MODEL_PRICES for billing-grade figures or other providers.
 */
export const DEFAULT_PRICES: PriceTable = {
  'gpt-4o': { inputPerMTok: 2.5, outputPerMTok: 10 },
  'gpt-4o-mini': { inputPerMTok: 0.15, outputPerMTok: 0.6 },
  'gpt-4.1': { inputPerMTok: 2, outputPerMTok: 8 },
  'gpt-4.1-mini': { inputPerMTok: 0.4, outputPerMTok: 1.6 },
  'gpt-4.1-nano': { inputPerMTok: 0.1, outputPerMTok: 0.4 },
  'gpt-4-turbo': { inputPerMTok: 10, outputPerMTok: 30 },
  'gpt-3.5-turbo': { inputPerMTok: 0.5, outputPerMTok: 1.5 },
  'gpt-5': { inputPerMTok: 1.25, outputPerMTok: 10 },
  'gpt-5-mini': { inputPerMTok: 0.25, outputPerMTok: 2 },
  'gpt-5-nano': { inputPerMTok: 0.05, outputPerMTok: 0.4 },
  o1: { inputPerMTok: 15, outputPerMTok: 60 },
  o3: { inputPerMTok: 2, outputPerMTok: 8 },
  'o3-mini': { inputPerMTok: 1.1, outputPerMTok: 4.4 },
  'o4-mini': { inputPerMTok: 1.1, outputPerMTok: 4.4 },
};

const PriceTableSchema = z.record(
  z.string().min(1),
  z.strictObject({ inputPerMTok: z.number().min(0), outputPerMTok: z.number().min(0) }),
);

/**
 * The default table overlaid with `overrides` (the text of VERDICT_MODEL_PRICES, read by the caller), e.g.
 * `{"my-model": {"inputPerMTok": 1, "outputPerMTok": 2}}`. Throws naming the variable when it is malformed,
 * so a typo fails at start-up rather than silently costing every record as null.
 */
export function loadPriceTable(overrides: string | undefined, base: PriceTable = DEFAULT_PRICES): PriceTable {
  if (overrides === undefined || overrides.trim() === '') return base;
  let parsed: unknown;
  try {
    parsed = JSON.parse(overrides);
  } catch {
    throw new Error('VERDICT_MODEL_PRICES is not valid JSON');
  }
  const result = PriceTableSchema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(`VERDICT_MODEL_PRICES is invalid at ${issue?.path.join('.') ?? '?'}: ${issue?.message ?? ''}`);
  }
  return { ...base, ...result.data };
}

/** Exact name first, then without a dated snapshot suffix (gpt-4o-2024-08-06 → gpt-4o) or provider prefix. */
function priceFor(model: string, prices: PriceTable): ModelPrice | undefined {
  const bare = model.slice(model.lastIndexOf('/') + 1);
  const undated = bare.replace(/-\d{4}-\d{2}-\d{2}$/, '');
  return prices[model] ?? prices[bare] ?? prices[undated];
}

/** Cost of one call in USD, or null when the model is not priced or usage is unknown. */
export function costUsd(model: string, usage: Usage | null, prices: PriceTable = DEFAULT_PRICES): number | null {
  if (!usage) return null;
  const price = priceFor(model, prices);
  if (!price) return null;
  const dollars = (usage.promptTokens * price.inputPerMTok + usage.completionTokens * price.outputPerMTok) / 1e6;
  // Rounded to a nano-dollar so float noise does not show up in reports and aggregates.
  return Math.round(dollars * 1e9) / 1e9;
}
