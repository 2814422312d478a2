// The server's wire types (docs/api/openapi.yaml, docs/api/events.md), as the app reads them.

export type ClientType = "PATIENT" | "USER";

export interface Party {
  clientType: ClientType;
  id: string;
  titleName: string | null;
}

/** A file attached to a message (POST .../chat/attachments answers one; messages carry them). */
export interface Attachment {
  id: string; // "AT" + 32 hex
  name: string;
  contentType: string;
  size: number; // bytes
  sha256: string;
  /** The server has a thumbnail (GET .../attachments/{id}/thumbnail). */
  thumbnail: boolean;
}

/** One chat message exactly as GET .../chat and the live events return it. */
export interface ChatMessage {
  sender: Party;
  receiver: Party | null;
  message: string;
  externalId: string;
  createdAt: string; // UTC ISO-8601 with milliseconds
  readAt: string | null;
  readBy?: Party | null; // staff viewers only
  attachments?: Attachment[]; // absent when none
}

export interface PageMeta {
  nextPageToken: string | null; // older
  prevPageToken: string | null; // newer
  pageSize: number;
  found: boolean;
  unreadCount?: number;
  firstUnreadExternalId?: string | null;
  /** Get-messages pages: the live log's position read just before the page (resume with after=). */
  position?: number;
  /** Get-messages pages: the epoch of that position's numbering (resume with epoch=). */
  epoch?: number;
}

/** A page of messages, newest first. */
export interface Page {
  meta: PageMeta;
  content: ChatMessage[];
}

export interface SearchHit {
  meta: { nextPageToken: string | null; prevPageToken: string | null };
  message: ChatMessage;
}

export interface SearchPage {
  meta: { nextPageToken: string | null; prevPageToken: string | null; pageSize: number; found: boolean };
  content: SearchHit[];
}

export interface ReadResult {
  marked: number;
  readAt: string;
  upToExternalId: string | null;
}

/** inbound = the patient's messages (to the care team); outbound = the care team's. */
export type Direction = "inbound" | "outbound";

export type LiveFrame =
  // epoch: the numbering of the log's positions; it changes when the database is copied or restored.
  | { type: "ready"; position: number; epoch: number }
  | { type: "resync_required"; position: number; epoch: number; message?: string }
  | { type: "message.created"; position: number; patientId: string; at: string; message: ChatMessage }
  | {
      type: "messages.read";
      position: number;
      patientId: string;
      at: string;
      direction: Direction;
      upToExternalId: string;
      count: number;
      readAt: string;
      reader?: Party;
    }
  | { type: "chat.archived"; position: number; patientId: string; at: string; archiveDate: string; count: number }
  | { type: "chat.restored"; position: number; patientId: string; at: string; count: number };

export function directionOf(m: Pick<ChatMessage, "sender">): Direction {
  return m.sender.clientType === "PATIENT" ? "inbound" : "outbound";
}

/** At most this many attachments on one message (the server's limit). */
export const ATTACHMENT_LIMIT = 10;

/** Maximum message length, in Unicode code points (the server's limit). */
export const MESSAGE_LIMIT = 10_000;
