// Attachment bytes on screen: thumbnails as blob: URLs shared by the bubbles that show them (counted,
// revoked when the last one goes), the full-size image viewer (testid "attachment-viewer": a modal
// dialog, Escape or Close returns focus to the thumbnail), and downloads (fetched with the token in
// the Authorization header, then an <a download> click on a blob: URL). A token never goes into a
// URL, an <img src> or a link.

import { ApiError } from "../api.js";
import type { Attachment } from "../types.js";
import { button, h, setAttr, setText } from "../view/dom.js";
import { icon } from "../view/icons.js";
import type { MediaPort } from "../view/message_view.js";
import type { ErrorHandler } from "./alerts.js";
import type { Timers } from "./env.js";

const DOWNLOAD_REVOKE_MS = 30_000; // the browser has read the blob by then

export interface BlobUrls {
  create(blob: Blob): string;
  revoke(url: string): void;
}

export const browserBlobUrls: BlobUrls = {
  create: (b) => URL.createObjectURL(b),
  revoke: (u) => URL.revokeObjectURL(u),
};

export interface MediaOptions {
  /** GET .../attachments/{id} or .../{id}/thumbnail with the token, as a Blob. */
  fetch: (id: string, variant: "file" | "thumbnail") => Promise<Blob>;
  urls: BlobUrls;
  doc: Document;
  timers: Timers;
  onError: ErrorHandler;
  announce: (text: string) => void;
}

interface Held {
  count: number;
  url: string | null;
  promise: Promise<string>;
  dropped: boolean;
}

export class MediaController implements MediaPort {
  /** The image viewer; placed in the page by the App, hidden until opened. */
  readonly dialog: HTMLElement;
  private readonly title_: HTMLElement;
  private readonly status_: HTMLElement;
  private readonly img_: HTMLImageElement;
  private readonly close_: HTMLButtonElement;
  private readonly save_: HTMLButtonElement;
  private readonly held_ = new Map<string, Held>();
  private shown_: { a: Attachment; url: string | null; returnTo: HTMLElement | null; seq: number } | null = null;
  private seq_ = 0;

  constructor(private readonly o: MediaOptions) {
    this.title_ = h("h2", { class: "viewer__title", attrs: { id: "attachment-viewer-title" } });
    this.save_ = button("", { class: "btn btn--icon btn--quiet viewer__save", testid: "attachment-viewer-download", attrs: { "aria-label": "Download" } }, [icon("download")]);
    this.close_ = button("", { class: "btn btn--icon btn--quiet", testid: "attachment-viewer-close", attrs: { "aria-label": "Close" } }, [icon("close")]);
    this.status_ = h("p", { class: "viewer__status", attrs: { role: "status" } });
    this.img_ = h("img", { class: "viewer__img", hidden: true });
    this.dialog = h("div", { class: "viewer", testid: "attachment-viewer", hidden: true, attrs: { role: "dialog", "aria-modal": "true", "aria-labelledby": "attachment-viewer-title" } }, [
      h("div", { class: "viewer__bar" }, [this.title_, this.save_, this.close_]),
      h("div", { class: "viewer__body" }, [this.status_, this.img_]),
    ]);
    this.close_.addEventListener("click", () => this.close());
    this.save_.addEventListener("click", () => {
      if (this.shown_) void this.download(this.shown_.a, null);
    });
    // A click on the backdrop (not on the image or the bar) closes, as Escape does.
    this.dialog.addEventListener("click", (e) => {
      if (e.target === this.dialog || (e.target as Element | null)?.classList.contains("viewer__body")) this.close();
    });
    this.dialog.addEventListener("keydown", (e) => this.onKey(e));
  }

  // ---- thumbnails -------------------------------------------------------------------------------

  /** A blob: URL of the attachment's thumbnail, shared while anyone holds it; pair with release(a). */
  thumbnail(a: Attachment): Promise<string> {
    let held = this.held_.get(a.id);
    if (!held) {
      const entry: Held = { count: 0, url: null, dropped: false, promise: Promise.resolve("") };
      entry.promise = this.o.fetch(a.id, "thumbnail").then((blob) => {
        const url = this.o.urls.create(blob);
        if (entry.dropped) {
          this.o.urls.revoke(url); // every holder went while it loaded
          throw new Error("released");
        }
        entry.url = url;
        return url;
      });
      entry.promise.catch(() => {}); // holders see the failure; nobody else must
      this.held_.set(a.id, entry);
      held = entry;
    }
    held.count++;
    return held.promise;
  }

  release(a: Attachment): void {
    const held = this.held_.get(a.id);
    if (!held) return;
    held.count--;
    if (held.count > 0) return;
    this.held_.delete(a.id);
    held.dropped = true;
    if (held.url !== null) this.o.urls.revoke(held.url);
  }

  /** How many thumbnails are held (tests: nothing leaks). */
  get heldCount(): number {
    return this.held_.size;
  }

  // ---- the image viewer -------------------------------------------------------------------------

  get isOpen(): boolean {
    return this.shown_ !== null;
  }

  /** Shows the full-size image; focus goes to Close and comes back to `returnTo` when it closes. */
  async open(a: Attachment, returnTo: HTMLElement | null): Promise<void> {
    this.dropShown();
    const seq = ++this.seq_;
    this.shown_ = { a, url: null, returnTo, seq };
    setText(this.title_, a.name);
    setText(this.status_, "Loading…");
    this.status_.hidden = false;
    this.img_.hidden = true;
    this.img_.removeAttribute("src");
    setAttr(this.img_, "alt", a.name);
    this.dialog.hidden = false;
    this.close_.focus();
    try {
      const blob = await this.o.fetch(a.id, "file");
      const url = this.o.urls.create(blob);
      if (this.shown_?.seq !== seq) {
        this.o.urls.revoke(url); // closed or replaced meanwhile
        return;
      }
      this.shown_.url = url;
      this.img_.src = url;
      this.img_.hidden = false;
      this.status_.hidden = true;
    } catch (e) {
      if (this.shown_?.seq !== seq) return;
      setText(this.status_, e instanceof ApiError && e.status === 404 ? "This file is no longer available." : "The image could not be loaded.");
      this.o.onError(e, null, null); // a 401 stops the app
    }
  }

  close(): void {
    const shown = this.shown_;
    if (!shown) return;
    this.dropShown();
    this.dialog.hidden = true;
    if (shown.returnTo?.isConnected) shown.returnTo.focus();
  }

  private dropShown(): void {
    if (this.shown_?.url) this.o.urls.revoke(this.shown_.url);
    this.img_.removeAttribute("src");
    this.shown_ = null;
  }

  private onKey(e: KeyboardEvent): void {
    if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      this.close();
    } else if (e.key === "Tab") {
      // Focus stays in the dialog (its two buttons).
      e.preventDefault();
      (this.o.doc.activeElement === this.close_ ? this.save_ : this.close_).focus();
    }
  }

  // ---- downloads --------------------------------------------------------------------------------

  /** Fetches the file with the token and hands it to the browser as a download named as sent. */
  async download(a: Attachment, control: HTMLElement | null): Promise<void> {
    if (control?.getAttribute("aria-busy") === "true") return;
    control?.setAttribute("aria-busy", "true");
    try {
      const blob = await this.o.fetch(a.id, "file");
      const url = this.o.urls.create(blob);
      const link = h("a", { attrs: { href: url, download: a.name, rel: "noopener" }, hidden: true });
      this.o.doc.body.append(link);
      link.click();
      link.remove();
      this.o.timers.setTimeout(() => this.o.urls.revoke(url), DOWNLOAD_REVOKE_MS);
      this.o.announce(`Downloading ${a.name}.`);
    } catch (e) {
      this.o.onError(e, `${a.name} could not be downloaded.`, { label: "Retry", run: () => void this.download(a, control) });
    } finally {
      control?.removeAttribute("aria-busy");
    }
  }
}
