// The bar at the top: the title with the unread badge, the action buttons, the search box, the filter
// buttons (testids "filter-*", aria-pressed) with the connection state (testid "connection-status"),
// and the note under the bar that says which filters hide messages ("Show all" clears them). The
// badge, the actions and the search box belong to their own controllers; this one places them.
// Filter state itself lives in the URL (filters.ts); the App applies it and calls showFilters.

import { describeFilter, NO_FILTERS, toggleShow, type FilterState } from "../filters.js";
import type { LiveState } from "../live.js";
import type { Mode } from "../route.js";
import { button, h, setAttr, setText } from "../view/dom.js";

export interface HeaderOptions {
  mode: Mode;
  badge: HTMLElement;
  actions: HTMLElement[];
  search: HTMLElement;
  /** A filter button was pressed: the filters the viewer asks for. */
  onFilters: (next: FilterState) => void;
}

type FilterId = "patient" | "staff" | "unread" | "archived";

export class HeaderController {
  readonly element: HTMLElement;
  readonly filterNote: HTMLElement;
  private readonly conn_: HTMLElement;
  private readonly connText_: HTMLElement;
  private readonly filterBtns_: Record<FilterId, HTMLButtonElement>;
  private readonly noteText_: HTMLElement;
  private readonly mode_: Mode;
  private filters_: FilterState = NO_FILTERS;

  constructor(o: HeaderOptions) {
    this.mode_ = o.mode;
    const staff = o.mode === "staff";
    this.connText_ = h("span", { class: "conn__text", text: "Connecting..." });
    this.conn_ = h("span", { class: "conn", testid: "connection-status", attrs: { "data-state": "connecting", role: "status" } }, [
      h("span", { class: "conn__dot", attrs: { "aria-hidden": "true" } }),
      this.connText_,
    ]);
    const title = h("h1", { class: "bar__title" }, [staff ? "Messages" : "Your care team"]);
    const row1 = h("div", { class: "bar__row" }, [h("div", { class: "bar__heading" }, [title, o.badge]), h("div", { class: "bar__actions" }, o.actions)]);

    const fb = (id: FilterId, label: string) => button(label, { class: "chip", testid: `filter-${id}`, attrs: { "aria-pressed": "false" } });
    this.filterBtns_ = {
      patient: fb("patient", staff ? "Patient" : "Mine"),
      staff: fb("staff", staff ? "Staff" : "Care team"),
      unread: fb("unread", "Unread"),
      archived: fb("archived", "Archived"),
    };
    const b = this.filterBtns_;
    const filters = h("div", { class: "bar__row bar__row--filters" }, [
      h("div", { class: "filters", attrs: { role: "group", "aria-label": "Filter messages" } }, [b.patient, b.staff, b.unread, b.archived]),
      this.conn_,
    ]);
    this.noteText_ = h("span");
    const clear = button("Show all", { class: "linkish" });
    this.filterNote = h("div", { class: "filter-note", hidden: true }, [this.noteText_, clear]);
    this.element = h("header", { class: "bar" }, [row1, o.search, filters]);

    clear.addEventListener("click", () => o.onFilters(NO_FILTERS));
    b.patient.addEventListener("click", () => o.onFilters(toggleShow(this.filters_, "patient")));
    b.staff.addEventListener("click", () => o.onFilters(toggleShow(this.filters_, "staff")));
    b.unread.addEventListener("click", () => o.onFilters(toggleShow(this.filters_, "unread")));
    b.archived.addEventListener("click", () => o.onFilters({ ...this.filters_, archived: !this.filters_.archived }));
  }

  /** The filters in force: pressed buttons and the note. */
  showFilters(f: FilterState): void {
    this.filters_ = f;
    const b = this.filterBtns_;
    setAttr(b.patient, "aria-pressed", String(f.show === "patient"));
    setAttr(b.staff, "aria-pressed", String(f.show === "staff"));
    setAttr(b.unread, "aria-pressed", String(f.show === "unread"));
    setAttr(b.archived, "aria-pressed", String(f.archived));
    const desc = describeFilter(f, this.mode_);
    this.filterNote.hidden = desc === "";
    setText(this.noteText_, desc === "" ? "" : `Showing ${desc}.`);
  }

  /** The live connection's state; "offline" once it has stopped for good (e.g. the token was refused). */
  showConnection(s: LiveState): void {
    setAttr(this.conn_, "data-state", s === "stopped" ? "offline" : s);
    setText(this.connText_, s === "live" ? "Live" : s === "connecting" ? "Connecting..." : s === "stopped" ? "Offline" : "Reconnecting...");
    this.conn_.title = s === "live" ? "New messages appear as they arrive" : s === "reconnecting" ? "The live connection dropped; reconnecting" : "";
  }
}
