/** Plain-text rendering of a fairness report (CLI and demo). Pure. */
import { formatAlmaty } from '../../calendar/domain/almaty-time.js';
import { FAIRNESS_CHECKS, type FairnessReport } from './audit-event.js';

export function formatFairnessReport(r: FairnessReport, opts: { maxViolations?: number; ms?: number } = {}): string {
  const max = opts.maxViolations ?? 50;
  const counts = FAIRNESS_CHECKS.map((c) => `${c} ${r.violations.filter((v) => v.check === c).length}`).join(', ');
  const lines = [
    `fairness audit: ${r.ok ? 'OK, no violations' : `${r.violations.length} VIOLATION${r.violations.length === 1 ? '' : 'S'}`}`,
    `  period: ${r.from ? formatAlmaty(r.from) : 'the first event'} .. ${r.to ? formatAlmaty(r.to) : 'the last event'}`,
    `  events replayed: ${r.eventsReplayed}; referrals checked: ${r.referralsChecked}` +
      (opts.ms !== undefined ? `; in ${(opts.ms / 1000).toFixed(2)} s` : ''),
    `  by check: ${counts}`,
  ];
  for (const v of r.violations.slice(0, max)) {
    lines.push(`  [${v.check}] event #${v.eventSeq}${v.referralId ? ` referral ${v.referralId}` : ''}: ${v.message}`);
    lines.push(`      evidence: ${JSON.stringify(v.evidence)}`);
  }
  if (r.violations.length > max) {
    lines.push(`  … and ${r.violations.length - max} more (use --json for all)`);
  }
  return lines.join('\n');
}
