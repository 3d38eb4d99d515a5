import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import http from "node:http";
import https from "node:https";
import { isIP, type LookupFunction } from "node:net";
import { Webhook } from "standardwebhooks";
import { isLocalName, isPrivateAddress } from "../addresses.domain.js";
import type { Attempt } from "./delivery.domain.js";

/** How much of a receiver's answer is kept on the delivery: enough to read an error, never a page. */
export const RESPONSE_SNIPPET_BYTES = 1024;

export interface Signed {
  url: string;
  secret: string;
  /** The webhook-id: the same for every attempt of one delivery, so a receiver can drop repeats. */
  msgId: string;
  body: string;
  /** The receiver compares it with its own clock (replay protection), so it is the wall clock's time. */
  sentAt: Date;
}

export interface SendOptions {
  timeoutMs: number;
  allowPrivate: boolean;
}

/**
 * What the tenant sees (the delivery's `error`) when an attempt is refused for its address: never the
 * address a name resolved to, which would map the internal network for whoever registers names.
 */
export const ADDRESS_NOT_ALLOWED = "the address is not allowed";

/** A refused address; its message (name and address) is only for the server's log. */
class RefusedAddress extends Error {}

/**
 * The address check happens where the socket connects: a name is resolved once and the connection
 * goes to the address that was checked, so DNS cannot answer "public" to a check and "private" to the
 * connection (rebinding). Redirects are not followed (a 3xx is a failed attempt).
 */
function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, "", 0);
      const refused = allowPrivate ? undefined : addresses.find((address) => isPrivateAddress(address.address));
      if (refused) return callback(new RefusedAddress(`${hostname} resolves to ${refused.address}, a private address`), "", 0);
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

/** Signs (Standard Webhooks) and posts one delivery; never throws: every way it can go is an Attempt. */
export function sendWebhook(signed: Signed, options: SendOptions): Promise<Attempt> {
  return new Promise<Attempt>((resolve) => {
    let url: URL;
    try {
      url = new URL(signed.url);
    } catch {
      return resolve({ kind: "failed", error: "the url is not valid" });
    }
    const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
    if (!options.allowPrivate && (isLocalName(host.toLowerCase()) || (isIP(host) !== 0 && isPrivateAddress(host))))
      return resolve({ kind: "failed", error: ADDRESS_NOT_ALLOWED, detail: `${host} is a private address` });
    const signature = new Webhook(signed.secret).sign(signed.msgId, signed.sentAt, signed.body);
    const client = url.protocol === "https:" ? https : http;
    let settled = false;
    const finish = (attempt: Attempt) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(attempt);
    };
    const request = client.request(
      url,
      {
        method: "POST",
        lookup: guardedLookup(options.allowPrivate),
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(signed.body),
          "user-agent": "ghasi-commerce-webhooks/1",
          "webhook-id": signed.msgId,
          "webhook-timestamp": String(Math.floor(signed.sentAt.getTime() / 1000)),
          "webhook-signature": signature,
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        let kept = 0;
        response.on("data", (chunk: Buffer) => {
          if (kept < RESPONSE_SNIPPET_BYTES) {
            chunks.push(chunk.subarray(0, RESPONSE_SNIPPET_BYTES - kept));
            kept += Math.min(chunk.length, RESPONSE_SNIPPET_BYTES - kept);
          }
          if (kept >= RESPONSE_SNIPPET_BYTES) response.destroy(); // the rest is not read
        });
        const answered = () =>
          finish({
            kind: "answered",
            status: response.statusCode ?? 0,
            body: Buffer.concat(chunks)
              .toString("utf8")
              .replace(/\u0000/g, ""),
          });
        response.on("end", answered);
        response.on("close", answered);
        response.on("error", answered);
      },
    );
    const timer = setTimeout(() => {
      request.destroy(new Error(`no answer within ${options.timeoutMs} ms`));
    }, options.timeoutMs);
    request.on("error", (error) =>
      finish(
        error instanceof RefusedAddress
          ? { kind: "failed", error: ADDRESS_NOT_ALLOWED, detail: error.message }
          : { kind: "failed", error: error.message.slice(0, 500) },
      ),
    );
    request.end(signed.body);
  });
}
