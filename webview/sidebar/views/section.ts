import { el, icon } from '../../common/dom';

export function sectionTitle(text: string, iconName: string, extra?: Node): HTMLElement {
  return el('h2', { className: 'section-title' }, icon(iconName), el('span', null, text), extra ?? null);
}

/** A side-panel section, `section <name>-section`, under its title, which also labels it for screen readers. */
export function sidebarSection(name: string, title: { text: string; icon: string; extra?: Node }, ...children: Node[]): HTMLElement {
  return el(
    'section',
    { className: `section ${name}-section`, attrs: { 'aria-label': title.text } },
    sectionTitle(title.text, title.icon, title.extra),
    ...children,
  );
}
