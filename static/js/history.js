// Draws the history charts with uPlot from JSON in the page: each chart's own script, or its
// board's, shared by a model page's score and rank charts. Progressive enhancement: without
// JavaScript the numbers are in the table under each chart.
(() => {
  "use strict";
  const css = (name, fallback) =>
    getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
  // Distinct hues that stay readable on light and dark backgrounds.
  const PALETTE = ["#1a73e8", "#e8710a", "#188038", "#a142f4"];

  function colors(index) {
    const accent = css("--accent", PALETTE[0]);
    return index === 0 ? accent : PALETTE[index % PALETTE.length];
  }

  // A y axis as wide as its widest tick label: a fixed width clipped "1,327.5" to "327.5".
  // uPlot asks again while sizes change (new sizes, new ticks); never shrinking settles it.
  function fitLabels(u, values, axisIdx) {
    const axis = u.axes[axisIdx];
    u.ctx.font = axis.font[0];
    const widest = Math.max(0, ...(values || []).map((v) => u.ctx.measureText(String(v)).width));
    const size = Math.ceil(axis.ticks.size + axis.gap + widest / devicePixelRatio);
    return Math.max(size, axis._size || 0);
  }

  function build(spec, width) {
    const muted = css("--muted", "#5f6368");
    const line = css("--line", "#d9dce1");
    const data = [spec.x.map((day) => day * 86400)]; // Unix days → the seconds uPlot reads
    const series = [{}];
    const bands = [];
    spec.series.forEach((s, i) => {
      const color = colors(i);
      data.push(s.values);
      series.push({ label: s.label, stroke: color, width: 2, points: { show: true, size: 5 }, spanGaps: true });
      if (s.lower && s.upper) {
        const at = data.length;
        data.push(s.upper, s.lower);
        series.push(
          { label: "+", stroke: color, width: 0.5, dash: [4, 4], points: { show: false }, spanGaps: true },
          { label: "−", stroke: color, width: 0.5, dash: [4, 4], points: { show: false }, spanGaps: true },
        );
        bands.push({ series: [at, at + 1], fill: color + "33" });
      }
    });
    const axis = { stroke: muted, grid: { stroke: line, width: 1 }, ticks: { stroke: line } };
    const rank = spec.kind === "rank";
    // Ranks are whole numbers, 1 at the top: integer ticks only, half a rank of padding.
    const yAxis = rank
      ? { ...axis, size: fitLabels, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500],
          values: (u, ticks) => ticks.map((t) => (Number.isInteger(t) && t >= 1 ? t : "")) }
      : { ...axis, size: fitLabels };
    return {
      opts: {
        width,
        height: width < 500 ? 200 : 240,
        series,
        bands,
        scales: {
          x: { time: true },
          y: rank ? { dir: -1, range: (u, min, max) => [Math.max(0.5, min - 0.5), max + 0.5] } : {},
        },
        axes: [{ ...axis }, yAxis],
        legend: { show: spec.series.length > 1 },
        cursor: { drag: { x: false, y: false } },
      },
      data,
    };
  }

  // A chart's JSON is its own ({kind, x, series}) or its board's, shared by the board's score
  // and rank charts ({x, score, rank}: the dates once); each script is parsed once.
  const parsed = new Map();
  function specOf(el) {
    const id = el.dataset.chart;
    if (!parsed.has(id)) {
      const source = document.getElementById(id);
      parsed.set(id, source ? JSON.parse(source.textContent) : null);
    }
    const data = parsed.get(id);
    if (!data || data.series) return data;
    const kind = el.dataset.kind;
    return data[kind] ? { kind, x: data.x, series: data[kind] } : null;
  }

  function draw(el) {
    if (typeof uPlot === "undefined") return;
    const spec = specOf(el);
    if (!spec) return;
    const width = Math.max(260, el.clientWidth);
    const { opts, data } = build(spec, width);
    el.textContent = "";
    const plot = new uPlot(opts, data, el);
    // For readers and tests: how many points the first series drew.
    el.dataset.points = String(spec.series[0].values.filter((v) => v !== null).length);
    el.dataset.drawn = "true";
    let last = width;
    new ResizeObserver(() => {
      const now = Math.max(260, el.clientWidth);
      if (Math.abs(now - last) > 8) {
        last = now;
        plot.setSize({ width: now, height: now < 500 ? 200 : 240 });
      }
    }).observe(el);
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-chart]").forEach(draw);
  });
})();
