// A few line icons (24x24, stroke = currentColor), built as SVG elements: no markup strings, no
// external files. Decorative: always aria-hidden, the control next to them carries the label.

const SVG_NS = "http://www.w3.org/2000/svg";

const PATHS = {
  search: ["M11 4a7 7 0 1 0 0 14a7 7 0 0 0 0-14z", "M20 20l-4.2-4.2"],
  send: ["M4 12l16-8-6 16-2.5-6.5z", "M11.5 13.5L20 4"],
  bell: ["M6 16V11a6 6 0 0 1 12 0v5l1.5 2h-15z", "M10 20a2 2 0 0 0 4 0"],
  bellOff: ["M6 16V11a6 6 0 0 1 9.5-4.9", "M18 11v5l1.5 2H8", "M10 20a2 2 0 0 0 4 0", "M4 4l16 16"],
  check: ["M5 12.5l4 4L19 7"],
  checks: ["M2.5 12.5l4 4L16 7", "M11 16l1 1L21.5 7"],
  down: ["M12 5v14", "M6 13l6 6 6-6"],
  up: ["M12 19V5", "M6 11l6-6 6 6"],
  retry: ["M20 11a8 8 0 1 0-2.3 5.7", "M20 4v7h-7"],
  close: ["M6 6l12 12", "M18 6L6 18"],
  alert: ["M12 3l10 18H2z", "M12 10v5", "M12 18v.01"],
} as const;

export type IconName = keyof typeof PATHS;

export function icon(name: IconName, cls = "icon"): SVGSVGElement {
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  svg.setAttribute("class", cls);
  for (const d of PATHS[name]) {
    const p = document.createElementNS(SVG_NS, "path");
    p.setAttribute("d", d);
    svg.append(p);
  }
  return svg;
}
