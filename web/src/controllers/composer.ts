// The composer at the bottom, shared by the staff pane and the patient view (testids
// "composer-input", "composer-send", "char-counter", and for files "composer-attach",
// "composer-file-input", "upload-list", "upload", "upload-progress", "upload-cancel", "upload-error",
// "composer-status"). Enter sends, Shift+Enter is a new line, the counter shows near the limit (code
// points, as the server counts). Files come by the paperclip (several at once), dropped on the
// composer, or pasted; each uploads at once with a progress bar and a cancel button, and a refusal
// shows the server's reason on the file. Send while files are still uploading queues the message: it
// goes when they are done (the box is locked meanwhile), and does not go if one fails or is cancelled.
// What happens to a message once written is the sending controller's business (send).

import { humanSize } from "../attachments.js";
import type { Mode } from "../route.js";
import { ATTACHMENT_LIMIT, MESSAGE_LIMIT, type Attachment } from "../types.js";
import type { UploadFile, UploadHandle } from "../upload.js";
import { UploadQueue, type UploadItem } from "../upload_queue.js";
import { button, h, setAttr, setText } from "../view/dom.js";
import { icon } from "../view/icons.js";

const COUNTER_FROM = 500; // show the character counter within this many of the limit

export function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

export interface ComposerOptions {
  mode: Mode;
  /** A message to send: trimmed text within the limit, not blank unless attachments come with it. */
  send: (text: string, attachments: Attachment[]) => void;
  /** Starts one upload (POST .../attachments). */
  upload: (file: UploadFile & Blob, onProgress: (loaded: number, total: number) => void) => UploadHandle;
  /** An upload failed (its reason shows on the file); a 401 stops the app. */
  onUploadFailed?: (item: UploadItem) => void;
  announce?: (text: string) => void;
}

interface Row {
  li: HTMLLIElement;
  detail: HTMLElement;
  progress: HTMLProgressElement;
  error: HTMLElement;
  cancel: HTMLButtonElement;
  state: string;
}

export class ComposerController {
  readonly element: HTMLElement;
  readonly uploads: UploadQueue;
  private readonly input_: HTMLTextAreaElement;
  private readonly send_: HTMLButtonElement;
  private readonly attach_: HTMLButtonElement;
  private readonly file_: HTMLInputElement;
  private readonly counter_: HTMLElement;
  private readonly list_: HTMLUListElement;
  private readonly status_: HTMLElement;
  private readonly rows_ = new Map<number, Row>();
  private available_ = false;
  private queued_ = false; // Send was pressed while files were uploading
  private failedWhenQueued_ = 0; // failures already on screen when Send was pressed do not stop it
  private note_ = ""; // a passing remark in the status line (files left out, a queued send stopped)

  constructor(private readonly o: ComposerOptions) {
    const staff = o.mode === "staff";
    this.uploads = new UploadQueue({
      limit: ATTACHMENT_LIMIT,
      start: (file, onProgress) => o.upload(file, onProgress),
      onChange: () => this.onUploadsChanged(),
      onFailed: (item) => o.onUploadFailed?.(item),
    });
    this.input_ = h("textarea", {
      class: "composer__input",
      testid: "composer-input",
      attrs: {
        id: "composer-input",
        rows: "1",
        placeholder: staff ? "Message the patient" : "Message your care team",
        "aria-describedby": "composer-hint char-counter composer-status",
        enterkeyhint: "send",
      },
    });
    this.send_ = button("", { class: "btn btn--primary composer__send", testid: "composer-send", attrs: { "aria-label": "Send", title: "Send (Enter)" } }, [icon("send")]);
    this.send_.disabled = true;
    this.file_ = h("input", { class: "sr-only", testid: "composer-file-input", attrs: { type: "file", multiple: "", tabindex: "-1", "aria-hidden": "true" } });
    this.attach_ = button("", { class: "btn btn--icon btn--quiet composer__attach", testid: "composer-attach", attrs: { "aria-label": "Attach files", title: "Attach files (or drop or paste them here)" } }, [icon("paperclip")]);
    this.attach_.disabled = true;
    this.counter_ = h("span", { class: "composer__counter", testid: "char-counter", hidden: true, attrs: { id: "char-counter", "aria-live": "polite" } });
    this.list_ = h("ul", { class: "uploads", testid: "upload-list", hidden: true, attrs: { "aria-label": "Attached files" } });
    this.status_ = h("p", { class: "composer__status", testid: "composer-status", hidden: true, attrs: { id: "composer-status", role: "status" } });
    this.element = h("footer", { class: "composer" }, [
      h("label", { class: "sr-only", text: staff ? "Message to the patient" : "Message to your care team", attrs: { for: "composer-input" } }),
      this.list_,
      this.status_,
      h("div", { class: "composer__row" }, [this.attach_, this.file_, this.input_, this.send_]),
      h("div", { class: "composer__meta" }, [h("span", { class: "composer__hint", text: "Enter to send · Shift+Enter for a new line", attrs: { id: "composer-hint" } }), this.counter_]),
    ]);
    this.input_.addEventListener("input", () => this.update());
    this.input_.addEventListener("keydown", (e) => this.onKey(e));
    this.input_.addEventListener("paste", (e) => this.onPaste(e));
    this.send_.addEventListener("click", () => this.submit());
    this.attach_.addEventListener("click", () => this.file_.click());
    this.file_.addEventListener("change", () => {
      this.addFiles([...(this.file_.files ?? [])]);
      this.file_.value = ""; // the same file may be chosen again
    });
    this.element.addEventListener("dragenter", (e) => this.onDrag(e));
    this.element.addEventListener("dragover", (e) => this.onDrag(e));
    this.element.addEventListener("dragleave", (e) => {
      if (!this.element.contains(e.relatedTarget as Node | null)) this.element.classList.remove("composer--drop");
    });
    this.element.addEventListener("drop", (e) => this.onDrop(e));
  }

  /** Whether sending is possible at all (the page has a token and has not stopped). */
  setAvailable(available: boolean): void {
    this.available_ = available;
    this.update();
  }

  /** The app stopped for good: nothing more can be written; uploads in flight are cancelled. */
  disable(): void {
    this.input_.disabled = true;
    this.queued_ = false;
    this.uploads.clear();
    this.setAvailable(false);
  }

  focus(options?: FocusOptions): void {
    this.input_.focus(options);
  }

  /** A send is waiting for uploads to finish. */
  get queued(): boolean {
    return this.queued_;
  }

  update(): void {
    const text = this.input_.value;
    const left = MESSAGE_LIMIT - codePoints(text);
    const files = this.uploads.count;
    this.send_.disabled = !this.available_ || this.queued_ || left < 0 || (text.trim() === "" && files === 0);
    setAttr(this.send_, "aria-busy", this.queued_ ? "true" : null);
    setAttr(this.send_, "data-state", this.queued_ ? "waiting" : null);
    setAttr(this.send_, "aria-label", this.queued_ ? "Sending when the uploads finish" : "Send");
    this.attach_.disabled = !this.available_ || this.queued_ || files >= ATTACHMENT_LIMIT;
    this.input_.readOnly = this.queued_;
    this.element.classList.toggle("composer--waiting", this.queued_);
    this.counter_.hidden = left > COUNTER_FROM;
    setText(this.counter_, left >= 0 ? `${left} left` : `${-left} over the limit`);
    setAttr(this.counter_, "data-state", left < 0 ? "over" : left <= 100 ? "low" : null);
    setAttr(this.input_, "aria-invalid", left < 0 ? "true" : null);
    const status = this.queued_ ? "Sending when the uploads finish… Cancel a file to change the message." : this.note_;
    this.status_.hidden = status === "";
    setText(this.status_, status);
  }

  private onKey(e: KeyboardEvent): void {
    if (e.key !== "Enter" || e.shiftKey || e.isComposing || e.keyCode === 229) return;
    e.preventDefault();
    this.submit();
  }

  /** Sends what is written and attached, if it can go; with uploads still going, once they are done. */
  submit(): void {
    const text = this.input_.value.trim();
    if (!this.available_ || this.queued_ || codePoints(text) > MESSAGE_LIMIT) return;
    if (text === "" && this.uploads.count === 0) return;
    this.note_ = "";
    if (this.uploads.busy) {
      this.queued_ = true;
      this.failedWhenQueued_ = this.failedCount();
      this.update();
      return;
    }
    this.sendNow();
  }

  private sendNow(): void {
    const text = this.input_.value.trim();
    const attachments = this.uploads.attachments;
    if (text === "" && attachments.length === 0) return;
    // Emptied before the send renders: the composer shrinks first, so the new bubble stays in view.
    this.input_.value = "";
    this.uploads.clear(); // what failed goes too: its reason was on screen
    this.update();
    this.o.send(text, attachments);
  }

  // ---- files ------------------------------------------------------------------------------------

  /** Starts uploading `files` (the paperclip, a drop, a paste). */
  addFiles(files: (UploadFile & Blob)[]): void {
    if (!this.available_ || this.queued_ || files.length === 0) return;
    const left = this.uploads.add(files);
    this.note_ = left > 0 ? `At most ${ATTACHMENT_LIMIT} files per message: ${left} ${left === 1 ? "was" : "were"} left out.` : "";
    this.update();
  }

  private onDrag(e: DragEvent): void {
    if (!this.available_ || this.queued_ || !e.dataTransfer || ![...e.dataTransfer.types].includes("Files")) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = "copy";
    this.element.classList.add("composer--drop");
  }

  private onDrop(e: DragEvent): void {
    this.element.classList.remove("composer--drop");
    const files = [...(e.dataTransfer?.files ?? [])];
    if (files.length === 0) return;
    e.preventDefault(); // the browser would open the file in place of the app
    this.addFiles(files);
  }

  private onPaste(e: ClipboardEvent): void {
    const data = e.clipboardData;
    const files = [...(data?.files ?? [])];
    if (files.length === 0) return;
    // A picture copied from a page comes with text too: keep the text's paste, take the files as well.
    if (![...(data?.types ?? [])].includes("text/plain")) e.preventDefault();
    this.addFiles(files);
  }

  private cancel(item: UploadItem): void {
    if (this.queued_) {
      this.queued_ = false;
      this.note_ = "Not sent: the files changed. Press Send again when ready.";
    }
    this.uploads.remove(item.id);
    this.focus();
  }

  private onUploadsChanged(): void {
    this.renderUploads();
    if (this.queued_) {
      if (this.failedCount() > this.failedWhenQueued_) {
        this.queued_ = false;
        this.note_ = "Not sent: a file could not be uploaded.";
        this.o.announce?.(this.note_);
      } else if (!this.uploads.busy) {
        this.queued_ = false;
        this.sendNow();
        return;
      }
    }
    this.update();
  }

  private failedCount(): number {
    return this.uploads.items.filter((i) => i.state === "failed").length;
  }

  /** The list of files: rows kept by item, so progress updates do not disturb focus. */
  private renderUploads(): void {
    const items = this.uploads.items;
    for (const [id, row] of [...this.rows_]) {
      if (items.some((i) => i.id === id)) continue;
      row.li.remove();
      this.rows_.delete(id);
    }
    let cursor: ChildNode | null = this.list_.firstChild;
    for (const item of items) {
      let row = this.rows_.get(item.id);
      if (!row) {
        row = this.newRow(item);
        this.rows_.set(item.id, row);
      }
      this.updateRow(row, item);
      if (row.li === cursor) cursor = cursor.nextSibling;
      else this.list_.insertBefore(row.li, cursor);
    }
    this.list_.hidden = items.length === 0;
  }

  private newRow(item: UploadItem): Row {
    const detail = h("span", { class: "upload__detail" });
    const progress = h("progress", { class: "upload__progress", testid: "upload-progress", attrs: { "aria-label": `Uploading ${item.name}` } });
    const error = h("span", { class: "upload__error", testid: "upload-error", hidden: true, attrs: { role: "alert" } });
    const cancel = button("", { class: "btn btn--icon btn--quiet upload__cancel", testid: "upload-cancel" }, [icon("close", "icon icon--sm")]);
    const li = h("li", { class: "upload", testid: "upload" }, [
      icon("file", "icon icon--sm upload__icon"),
      h("span", { class: "upload__main" }, [h("span", { class: "upload__name", text: item.name, attrs: { title: item.name } }), detail, progress, error]),
      cancel,
    ]);
    const row: Row = { li, detail, progress, error, cancel, state: "" };
    cancel.addEventListener("click", () => {
      const current = this.uploads.items.find((i) => i.id === item.id);
      if (current) this.cancel(current);
    });
    return row;
  }

  private updateRow(row: Row, item: UploadItem): void {
    setAttr(row.li, "data-state", item.state);
    const total = item.total > 0 ? item.total : item.size;
    if (item.state === "uploading") {
      row.progress.hidden = false;
      row.progress.max = Math.max(1, total);
      row.progress.value = Math.min(item.loaded, total);
      const pct = total > 0 ? Math.floor((100 * Math.min(item.loaded, total)) / total) : 0;
      setText(row.detail, `${pct}% of ${humanSize(item.size)}`);
    } else {
      row.progress.hidden = true;
      setText(row.detail, item.state === "done" ? humanSize(item.size) : "Not attached");
    }
    row.error.hidden = item.state !== "failed";
    setText(row.error, item.state === "failed" ? (item.error ?? "The upload failed.") : "");
    if (row.state !== item.state) {
      row.state = item.state;
      const label = item.state === "uploading" ? `Cancel upload of ${item.name}` : `Remove ${item.name}`;
      setAttr(row.cancel, "aria-label", label);
      setAttr(row.cancel, "title", label);
    }
  }
}
