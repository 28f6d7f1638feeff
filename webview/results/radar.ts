// The radar chart of the five dimension scores. Only the Chart.js pieces a radar needs are
// registered, which keeps the bundle small (tree-shaken). Colours come from the VS Code theme
// variables and are re-read when the theme changes; data updates are coalesced to one per frame
// so a burst of live answers redraws the chart once, after the frame that shows the rows.
import {
  Chart,
  Filler,
  LineElement,
  PointElement,
  RadarController,
  RadialLinearScale,
  Tooltip,
  type ChartConfiguration,
  type RadialLinearScaleOptions,
} from 'chart.js';
import { DIMENSION_LABELS, DIMENSIONS, type Dimension } from '../../src/shared/model';
import { cssVar, currentThemeKind, prefersReducedMotion, withAlpha } from '../common/theme';

Chart.register(RadarController, RadialLinearScale, LineElement, PointElement, Filler, Tooltip);

/** Canvas width (CSS px) under which the point labels wrap and use a smaller font. */
const NARROW = 440;

export type DimensionValues = Partial<Record<Dimension, number | null>>;

interface RadarColors {
  line: string;
  fill: string;
  grid: string;
  label: string;
  tick: string;
  font: string;
  lineWidth: number;
}

function readColors(): RadarColors {
  const highContrast = currentThemeKind().startsWith('high-contrast');
  const line = cssVar('--vscode-charts-blue', cssVar('--vscode-focusBorder', '#3794ff'));
  const grid = cssVar('--vscode-editorWidget-border', cssVar('--vscode-panel-border', '#80808059'));
  const foreground = cssVar('--vscode-foreground', '#cccccc');
  return {
    line,
    // High contrast: no translucent fill, grid in the theme's contrast border, all text in the
    // full foreground (the description colour is translucent there).
    fill: withAlpha(line, highContrast ? 0 : 0.2),
    grid: highContrast ? cssVar('--vscode-contrastBorder', grid) : grid,
    label: foreground,
    tick: highContrast ? foreground : cssVar('--vscode-descriptionForeground', '#999999'),
    font: cssVar('--vscode-font-family', 'sans-serif'),
    lineWidth: highContrast ? 3 : 2,
  };
}

export class RadarView {
  readonly chart: Chart<'radar', (number | null)[], string>;
  private pending: DimensionValues | undefined;
  private pendingAnimate = true;
  private frame = 0;

  constructor(canvas: HTMLCanvasElement) {
    const colors = readColors();
    const config: ChartConfiguration<'radar', (number | null)[], string> = {
      type: 'radar',
      data: {
        labels: DIMENSIONS.map((d) => DIMENSION_LABELS[d]),
        datasets: [{ label: 'Score', data: DIMENSIONS.map(() => null), spanGaps: true, fill: true }],
      },
      options: {
        responsive: true,
        maintainAspectRatio: true,
        aspectRatio: 1.35,
        animation: prefersReducedMotion() ? false : { duration: 300 },
        layout: { padding: 2 },
        plugins: {
          tooltip: {
            callbacks: { label: (item) => ` ${item.raw === null ? 'not scored' : Number(item.raw).toFixed(2)}` },
          },
        },
        scales: {
          r: {
            min: 0,
            max: 1,
            beginAtZero: true,
            ticks: { stepSize: 0.2, showLabelBackdrop: false, callback: (value) => Number(value).toFixed(1) },
            // In a narrow panel the dimension names go on two lines, so none is cut off.
            pointLabels: { callback: (label: string) => (this.chart && this.chart.width < NARROW ? label.split(' ') : label) },
          },
        },
      },
    };
    this.chart = new Chart(canvas, config);
    this.applyColors(colors);
    this.chart.update('none');
  }

  /** Coalesces updates to the next animation frame. `animate: false` for live answers: a stream
   *  of them would otherwise keep the chart animating (and redrawing its text) continuously. */
  schedule(values: DimensionValues, animate = true): void {
    this.pending = values;
    this.pendingAnimate = (this.frame ? this.pendingAnimate : true) && animate;
    if (this.frame) return;
    // After the next paint (a task queued from the frame's callback), so the table's first paint
    // never waits for the chart: measuring its labels forces a style update of the whole page.
    this.frame = requestAnimationFrame(() => {
      setTimeout(() => {
        this.frame = 0;
        if (this.pending) this.setValues(this.pending, this.pendingAnimate);
        this.pending = undefined;
      }, 0);
    });
  }

  setValues(values: DimensionValues, animate = true): void {
    const dataset = this.chart.data.datasets[0];
    if (!dataset) return;
    const data = DIMENSIONS.map((d) => values[d] ?? null);
    if (data.every((v, i) => v === dataset.data[i])) return;
    dataset.data = data;
    this.chart.update(animate ? undefined : 'none');
  }

  /** Re-reads the theme colours (after VS Code switched themes) and redraws without animation. */
  refreshTheme(): void {
    this.chart.options.animation = prefersReducedMotion() ? false : { duration: 300 };
    this.applyColors(readColors());
    this.chart.update('none');
  }

  private applyColors(colors: RadarColors): void {
    const dataset = this.chart.data.datasets[0];
    if (dataset) {
      dataset.borderColor = colors.line;
      dataset.backgroundColor = colors.fill;
      dataset.pointBackgroundColor = colors.line;
      dataset.pointBorderColor = colors.line;
      dataset.borderWidth = colors.lineWidth;
      dataset.pointRadius = 3;
    }
    // Chart.js documents mutating chart.options in place followed by update().
    const r = this.chart.options.scales?.['r'] as RadialLinearScaleOptions | undefined;
    if (r) {
      r.grid.color = colors.grid;
      r.angleLines.color = colors.grid;
      r.pointLabels.color = colors.label;
      r.pointLabels.font = (context) => ({ family: colors.font, size: context.chart.width < NARROW ? 11 : 12 });
      r.ticks.color = colors.tick;
      r.ticks.font = { family: colors.font, size: 10 };
    }
  }
}
