// Who is looking at the chat: the mode (staff pane or patient view), the chat's patient, and, for
// staff, the sender identity the server gave this viewer's sends (learnt from a send answer and kept
// in sessionStorage, since the token does not say it). Decides which messages are one's own, who
// reads what, and how a message being sent is shown before the server has it. No DOM.

import type { KeyValueStore } from "./controllers/env.js";
import type { Mode } from "./route.js";
import type { OwnIdentity } from "./timeline.js";
import type { Attachment, ChatMessage, Party } from "./types.js";

export class Viewer {
  private me_: Party | null = null;

  constructor(
    readonly mode: Mode,
    readonly patientId: string,
    private readonly store: KeyValueStore | null = null,
    private readonly storeKey = "",
  ) {}

  /** The identity saved by an earlier page view of this chat, if any. */
  restore(): void {
    try {
      const saved = this.store?.getItem(this.storeKey);
      this.me_ = saved ? (JSON.parse(saved) as Party) : null;
    } catch {
      this.me_ = null;
    }
  }

  /** The staff user's sender identity, once known. */
  get me(): Party | null {
    return this.me_;
  }

  /** A send answer's sender is this viewer (staff): remember it for adoption and provisional bubbles. */
  learn(sender: Party): void {
    if (this.mode !== "staff" || (this.me_ !== null && this.me_.id === sender.id)) return;
    this.me_ = sender;
    try {
      this.store?.setItem(this.storeKey, JSON.stringify(sender));
    } catch {
      /* not essential */
    }
  }

  /** The patient of this chat, as a party (a sender, or the reader of the care team's messages). */
  get patientParty(): Party {
    return { clientType: "PATIENT", id: this.patientId, titleName: null };
  }

  /** Who reads the messages this viewer marks read. */
  get reader(): Party | null {
    return this.mode === "patient" ? this.patientParty : this.me_;
  }

  get own(): OwnIdentity {
    return this.mode === "staff" ? { direction: "outbound", senderId: this.me_?.id ?? null } : { direction: "inbound", senderId: this.patientId };
  }

  /** The message as shown while it is being sent. */
  provisional(text: string, createdAt: string, attachments: readonly Attachment[] = []): ChatMessage {
    const sender: Party = this.mode === "staff" ? { clientType: "USER", id: this.me_?.id ?? "", titleName: this.me_?.titleName ?? null } : this.patientParty;
    const m: ChatMessage = { sender, receiver: null, message: text, externalId: "", createdAt, readAt: null };
    if (attachments.length > 0) m.attachments = [...attachments];
    return m;
  }
}
