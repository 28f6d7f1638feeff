// The judge against the answers people corrected in this workspace, as `finger agreement --labels`
// reports it (README, "Agreement with people"): the answer accuracy per dimension (the FingER
// paper's Acc), and SRCC/PLCC of the scores against the clips' human scores without and with the
// corrections. Computed by the extension; rendered here as text.
import { DIMENSION_LABELS, DIMENSIONS, formatScore } from '../../../src/shared/model';
import type { LabelAgreementView } from '../../../src/shared/protocols/sidebar';
import { el, tableHead } from '../../common/dom';
import { sidebarSection } from './section';

type Statistic = LabelAgreementView['correlation']['overall']['with']['srcc'];

function statistic(s: Statistic | undefined): string {
  return s === undefined || s.value === null ? '—' : s.value.toFixed(3);
}

export class AgreementView {
  private readonly body = el('div', { className: 'agreement-body' });
  readonly element = sidebarSection('agreement', { text: 'Judge vs corrections', icon: 'check-all' }, this.body);

  render(agreement: LabelAgreementView | null): void {
    this.element.hidden = agreement === null;
    if (!agreement) {
      this.body.replaceChildren();
      return;
    }
    const rows = [...DIMENSIONS, 'all' as const].map((d) => {
      const a = agreement.accuracy[d];
      return el(
        'tr',
        { dataset: { dimension: d } },
        el('th', { attrs: { scope: 'row' } }, d === 'all' ? 'All' : DIMENSION_LABELS[d]),
        el('td', { dataset: { role: 'accuracy' } }, a && a.value !== null ? formatScore(a.value) : '—'),
        el('td', { dataset: { role: 'labelled' } }, a ? `${a.agree} / ${a.labelled}` : '0 / 0'),
      );
    });
    const accuracy = el(
      'table',
      { className: 'agreement-accuracy' },
      tableHead('Dimension', 'Answer accuracy', 'Same / corrected'),
      el('tbody', null, ...rows),
    );
    const correlationRows = [...DIMENSIONS, 'overall' as const].map((d) => {
      const c = agreement.correlation[d];
      return el(
        'tr',
        { dataset: { dimension: d } },
        el('th', { attrs: { scope: 'row' } }, d === 'overall' ? 'Overall' : DIMENSION_LABELS[d]),
        el('td', { dataset: { role: 'n' } }, String(c?.n ?? 0)),
        el('td', { dataset: { role: 'srcc-without' } }, statistic(c?.without.srcc)),
        el('td', { dataset: { role: 'srcc-with' } }, statistic(c?.with.srcc)),
        el('td', { dataset: { role: 'plcc-without' } }, statistic(c?.without.plcc)),
        el('td', { dataset: { role: 'plcc-with' } }, statistic(c?.with.plcc)),
      );
    });
    const correlations = el(
      'table',
      { className: 'agreement-correlation' },
      tableHead('Against MOS', 'n', 'SRCC', 'SRCC corrected', 'PLCC', 'PLCC corrected'),
      el('tbody', null, ...correlationRows),
    );
    const withHuman = agreement.correlation['overall']?.n ?? 0;
    this.body.replaceChildren(
      el(
        'p',
        { className: 'muted' },
        `${agreement.clips} clip${agreement.clips === 1 ? '' : 's'} with corrected answers; same figures as finger agreement --labels.`,
      ),
      accuracy,
      withHuman > 0 ? correlations : el('p', { className: 'muted' }, 'No human scores: set "mos" in a labels file for SRCC and PLCC.'),
    );
  }
}
