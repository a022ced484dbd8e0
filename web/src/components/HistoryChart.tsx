import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartRun {
  runId: string;
  label: string;
  createdAt: string;
}

interface HistoryChartProps {
  /** Every run on every visible chart, oldest first: the shared x axis, so index i is the same run everywhere. */
  runs: ChartRun[];
  /** This metric's value per run (null where the run has none), in percent for boolean metrics. */
  values: Array<number | null>;
  percent: boolean;
  syncKey: string;
  label: string;
  onHover: (index: number | null) => void;
  onPick: (index: number) => void;
}

const day = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });

/**
 * One metric over runs, drawn by uPlot. Charts with the same `syncKey` share the cursor (uPlot.sync): hovering a
 * point on one moves the highlight to the same run on all of them, because they share one x axis of run indexes.
 */
export function HistoryChart({ runs, values, percent, syncKey, label, onHover, onPick }: HistoryChartProps) {
  const holder = useRef<HTMLDivElement>(null);
  const callbacks = useRef({ onHover, onPick });
  callbacks.current = { onHover, onPick };

  useEffect(() => {
    const el = holder.current;
    if (!el) return;
    const xs = runs.map((_, i) => i);
    const width = Math.max(240, el.clientWidth);
    const options: uPlot.Options = {
      width,
      height: 160,
      cursor: {
        sync: { key: syncKey, setSeries: false },
        points: { size: 10, fill: '#4f46e5', stroke: '#fff', width: 2 },
        drag: { x: false, y: false },
      },
      legend: { show: false },
      scales: {
        x: { time: false, range: [-0.5, Math.max(0.5, runs.length - 0.5)] },
        y: percent ? { range: [0, 100] } : { auto: true },
      },
      axes: [
        {
          stroke: '#6b7280',
          grid: { show: false },
          size: 28,
          incrs: [1, 2, 5, 10, 20, 50, 100],
          values: (_u, ticks) =>
            ticks.map((t) => (Number.isInteger(t) && runs[t] ? day.format(new Date(runs[t].createdAt)) : '')),
        },
        {
          stroke: '#6b7280',
          grid: { stroke: '#eef0f4' },
          size: 54,
          values: (_u, ticks) => ticks.map((t) => (percent ? `${t}%` : String(Math.round(t * 100) / 100))),
        },
      ],
      series: [
        {},
        {
          label,
          stroke: '#4f46e5',
          width: 2,
          spanGaps: true,
          points: { show: true, size: 6, fill: '#4f46e5' },
        },
      ],
      hooks: {
        setCursor: [(u) => callbacks.current.onHover(u.cursor.idx ?? null)],
      },
    };
    const plot = new uPlot(options, [xs, values], el);
    const over = plot.over;
    const pick = () => {
      const idx = plot.cursor.idx;
      if (idx !== null && idx !== undefined) callbacks.current.onPick(idx);
    };
    const leave = () => callbacks.current.onHover(null);
    over.addEventListener('click', pick);
    over.addEventListener('mouseleave', leave);
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(240, el.clientWidth), height: 160 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      over.removeEventListener('click', pick);
      over.removeEventListener('mouseleave', leave);
      plot.destroy();
    };
  }, [runs, values, percent, syncKey, label]);

  return (
    <div ref={holder} className="chart-canvas" role="img" aria-label={`${label} over the last ${runs.length} runs`} />
  );
}
