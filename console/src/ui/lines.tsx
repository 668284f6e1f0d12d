import { useApp } from '../app-context';
import { parseAmount } from '../format';
import { TextField } from './fields';

/**
 * Editable money lines (a promotion's expense lines, a claim's lines): what for, how much (typed in the
 * user's locale, sent in minor units), and a third text column (a note, the evidence reference).
 */
export interface LineDraft { kind: string; amount: string; extra: string }
export const emptyLine = (): LineDraft => ({ kind: '', amount: '', extra: '' });

export function MoneyLines({ legend, lines, onChange, currency, extraLabel, errors, prefix }: {
  legend: string; lines: LineDraft[]; onChange: (lines: LineDraft[]) => void; currency: string; extraLabel: string;
  errors: (field: string) => string | undefined; prefix: string;
}) {
  const set = (i: number, patch: Partial<LineDraft>) => onChange(lines.map((l, j) => (j === i ? { ...l, ...patch } : l)));
  return (
    <fieldset>
      <legend>{legend}</legend>
      {errors(prefix) && <p className="error" role="alert">{errors(prefix)}</p>}
      <div className="lines">
        {lines.map((line, i) => (
          <div className="line" key={i} role="group" aria-label={`Line ${i + 1}`}>
            <TextField label={`What for (line ${i + 1})`} value={line.kind} onChange={(e) => set(i, { kind: e.target.value })} error={errors(`${prefix}.${i}.kind`)} />
            <TextField label={`Amount in ${currency} (line ${i + 1})`} inputMode="decimal" value={line.amount} onChange={(e) => set(i, { amount: e.target.value })}
              error={errors(`${prefix}.${i}.amount`) ?? errors(`${prefix}.${i}.amount.amountMinor`)} />
            <TextField label={`${extraLabel} (line ${i + 1})`} value={line.extra} onChange={(e) => set(i, { extra: e.target.value })}
              error={errors(`${prefix}.${i}.note`) ?? errors(`${prefix}.${i}.evidenceRef`)} />
            <button type="button" className="secondary" onClick={() => onChange(lines.filter((_, j) => j !== i))} disabled={lines.length === 1}
              aria-label={`Remove line ${i + 1}`}>Remove</button>
          </div>
        ))}
      </div>
      <button type="button" className="secondary" onClick={() => onChange([...lines, emptyLine()])}>Add a line</button>
    </fieldset>
  );
}

/** The lines as the API takes them; an amount that is not a number becomes -1 so the schema names it. */
export function useLineAmounts() {
  const { locale } = useApp();
  return (lines: LineDraft[], currency: string) => lines.map((l) => ({
    kind: l.kind,
    amount: { amountMinor: parseAmount(l.amount, currency, locale.locale) ?? -1, currency },
    extra: l.extra,
  }));
}
