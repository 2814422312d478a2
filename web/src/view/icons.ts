// A few line icons (24x24, stroke = currentColor), built as SVG elements: no markup strings, no
// external files. Decorative: always aria-hidden, the control next to them carries the label.

const SVG_NS = "http://www.w3.org/2000/svg";

const PATHS = {
  paperclip: ["M20 11.5l-7.8 7.8a5 5 0 0 1-7.1-7.1l8.5-8.5a3.3 3.3 0 0 1 4.7 4.7l-8.5 8.5a1.7 1.7 0 0 1-2.4-2.4l7.8-7.8"],
  file: ["M14 3H7a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V8z", "M14 3v5h5"],
  download: ["M12 4v11", "M7 10l5 5 5-5", "M5 20h14"],
  image: ["M5 4h14a1 1 0 0 1 1 1v14a1 1 0 0 1-1 1H5a1 1 0 0 1-1-1V5a1 1 0 0 1 1-1z", "M4 16l5-5 4 4 3-3 4 4", "M15.5 8.5v.01"],
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
