// What tells the viewer something is waiting: the unread badge (testid "unread-badge") and the
// document title's "(N) ", and, opt-in with the bell (testid "notifications-toggle"), a browser
// notification when a message from the other side arrives while the pane is hidden. Notifications
// carry no message text: they show on lock screens and shared displays.

import type { Mode } from "../route.js";
import type { ChatMessage } from "../types.js";
import { titleWithCount } from "../unread.js";
import { button, h, setAttr, setText } from "../view/dom.js";
import { icon } from "../view/icons.js";
import type { KeyValueStore } from "./env.js";

/** The browser's Notification API, as far as the app uses it. */
export interface NotificationPort {
  permission(): NotificationPermission;
  request(): Promise<NotificationPermission>;
  show(title: string, options: NotificationOptions): void;
}

/** The real API, or null where the browser has none. */
export function browserNotifications(): NotificationPort | null {
  if (!("Notification" in window)) return null;
  return {
    permission: () => Notification.permission,
    request: () => Notification.requestPermission(),
    show: (title, options) => {
      try {
        const n = new Notification(title, options);
        n.onclick = () => {
          window.focus();
          n.close();
        };
      } catch {
        /* some browsers only allow notifications from a service worker */
      }
    },
  };
}

export const NOTIFY_SETTING = "carechat.notifications";

export interface NotificationsOptions {
  mode: Mode;
  patientId: string;
  port: NotificationPort | null;
  /** localStorage: the opt-in is kept across page views. */
  store: KeyValueStore | null;
  isHidden: () => boolean;
  setTitle: (title: string) => void;
  announce: (text: string) => void;
}

export class NotificationsController {
  readonly badge: HTMLElement;
  readonly bell: HTMLButtonElement;

  constructor(private readonly o: NotificationsOptions) {
    this.badge = h("span", { class: "badge", testid: "unread-badge", hidden: true, attrs: { role: "status" } });
    this.bell = button("", { class: "btn btn--icon", testid: "notifications-toggle", attrs: { "aria-pressed": "false", "aria-label": "Notify me of new messages", title: "Notify me of new messages while this pane is hidden" } }, [icon("bell")]);
    this.bell.addEventListener("click", () => void this.toggle());
  }

  /** The badge and the title for `n` unread messages. */
  setUnread(n: number): void {
    this.badge.hidden = n === 0;
    setText(this.badge, String(n));
    setAttr(this.badge, "aria-label", `${n} unread`);
    setAttr(this.badge, "title", `${n} unread ${n === 1 ? "message" : "messages"}`);
    this.o.setTitle(titleWithCount(this.o.mode === "staff" ? "Patient messages · carechat" : "Messages with your care team · carechat", n));
  }

  private wanted(): boolean {
    return this.o.store?.getItem(NOTIFY_SETTING) === "on";
  }

  private on(): boolean {
    return this.wanted() && this.o.port?.permission() === "granted";
  }

  /** The bell's state: pressed when notifications are wanted and allowed; hidden without the API. */
  update(): void {
    const port = this.o.port;
    if (!port) {
      this.bell.hidden = true;
      return;
    }
    const on = this.on();
    setAttr(this.bell, "aria-pressed", on ? "true" : "false");
    this.bell.replaceChildren(icon(on ? "bell" : "bellOff"));
    const label = port.permission() === "denied" ? "Notifications are blocked by the browser" : on ? "Notifications on" : "Notify me of new messages";
    setAttr(this.bell, "aria-label", label);
    setAttr(this.bell, "title", label + (on ? " (while this pane is hidden)" : ""));
  }

  async toggle(): Promise<void> {
    const port = this.o.port;
    if (!port) return;
    const store = this.o.store;
    const permission = port.permission();
    if (this.wanted() && permission === "granted") {
      store?.setItem(NOTIFY_SETTING, "off");
    } else if (permission === "granted") {
      store?.setItem(NOTIFY_SETTING, "on");
    } else if (permission === "denied") {
      this.o.announce("Notifications are blocked in this browser's settings for this site.");
    } else {
      const p = await port.request();
      store?.setItem(NOTIFY_SETTING, p === "granted" ? "on" : "off");
    }
    this.update();
    this.o.announce(this.on() ? "Notifications on." : "Notifications off.");
  }

  /** A message from the other side arrived: a notification if the pane is hidden and the viewer opted in. */
  notify(_m: ChatMessage): void {
    if (!this.o.isHidden() || !this.o.port || !this.on()) return;
    // No message text: notifications show on lock screens and shared displays (patient data).
    const title = this.o.mode === "staff" ? "New patient message" : "New message from your care team";
    this.o.port.show(title, { body: "Open the chat to read it.", tag: "carechat:" + this.o.patientId, icon: "/assets/icon.svg" });
  }
}
