import { el, icon } from '../../common/dom';

export function sectionTitle(text: string, iconName: string, extra?: Node): HTMLElement {
  return el('h2', { className: 'section-title' }, icon(iconName), el('span', null, text), extra ?? null);
}
