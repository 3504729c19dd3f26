import {
  DeleteMessageCommand,
  GetQueueUrlCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

/** One queue trigger of a function. */
export interface QueueTrigger {
  functionName: string;
  name: string;
  queue: string;
}

/** POSTs one message body to the function; resolves to the status. */
export type QueueInvoke = (
  trigger: QueueTrigger,
  body: string,
) => Promise<number>;

/** What a queue poller reports to its owner. */
export interface QueuePollerEvents {
  /** A receive or delete failed (e.g. storage unavailable). */
  onPollError?: (trigger: QueueTrigger, error: unknown) => void;
  /** All attempts failed; the message stays for redrive. */
  onGiveUp?: (trigger: QueueTrigger, messageId: string) => void;
}

/** Scaleway retries a failing message up to three times. */
export const QUEUE_RETRIES = 3;

/** Scaleway keeps at most ten messages in flight per trigger. */
export const MAX_IN_FLIGHT = 10;

/**
 * Delivers a queue's messages to a function as Scaleway's trigger does:
 * one message per POST, a status of 300 or more retried up to three
 * times, at most ten in flight. A message that still fails is neither
 * deleted nor moved: it becomes visible again after the queue's
 * visibility timeout, and the queue's redrive policy (maxReceiveCount,
 * dead-letter queue) decides its fate.
 */
export class QueuePoller {
  readonly #sqs: SQSClient;
  readonly #trigger: QueueTrigger;
  readonly #invoke: QueueInvoke;
  readonly #events: QueuePollerEvents;
  #inFlight = 0;
  readonly #deliveries = new Set<Promise<void>>();
  #running = true;
  #loop: Promise<void> = Promise.resolve();
  /** Cuts the current long poll short on stop. */
  readonly #stopping = new AbortController();

  constructor(
    sqs: SQSClient,
    trigger: QueueTrigger,
    invoke: QueueInvoke,
    events: QueuePollerEvents = {},
  ) {
    this.#sqs = sqs;
    this.#trigger = trigger;
    this.#invoke = invoke;
    this.#events = events;
  }

  /** Starts polling in the background. */
  start(): void {
    this.#loop = this.#pollForever();
  }

  /**
   * Stops polling, cutting the current receive short, then waits for the
   * messages being delivered: each finishes its current attempt but is
   * not retried (it comes back after the queue's visibility timeout).
   */
  async stop(): Promise<void> {
    this.#running = false;
    this.#stopping.abort();
    await this.#loop;
    await Promise.allSettled([...this.#deliveries]);
  }

  /** Messages being delivered right now (never more than ten). */
  get inFlight(): number {
    return this.#inFlight;
  }

  async #pollForever(): Promise<void> {
    let queueUrl: string | undefined;
    let failing = false;

    while (this.#running) {
      try {
        queueUrl ??= await this.#queueUrl();
        await this.#pollOnce(queueUrl);
        failing = false;
      } catch (error) {
        if (!this.#running) return;

        queueUrl = undefined;
        // report the first failure of a streak, not one per second
        if (!failing) {
          this.#events.onPollError?.(this.#trigger, error);
        }
        failing = true;
        await sleep(1_000);
      }
    }
  }

  async #queueUrl(): Promise<string> {
    const reply = await this.#sqs.send(
      new GetQueueUrlCommand({ QueueName: this.#trigger.queue }),
      { abortSignal: this.#stopping.signal },
    );
    if (!reply.QueueUrl) {
      throw new Error('queue has no URL');
    }

    return reply.QueueUrl;
  }

  async #pollOnce(queueUrl: string): Promise<void> {
    const room = MAX_IN_FLIGHT - this.#inFlight;
    if (room <= 0) {
      await sleep(50);
      return;
    }

    const reply = await this.#sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: room,
        WaitTimeSeconds: 1,
      }),
      { abortSignal: this.#stopping.signal },
    );
    for (const message of reply.Messages ?? []) {
      this.#inFlight += 1;
      const delivery = this.#deliver(queueUrl, message).finally(() => {
        this.#inFlight -= 1;
        this.#deliveries.delete(delivery);
      });
      this.#deliveries.add(delivery);
    }
  }

  async #deliver(queueUrl: string, message: Message): Promise<void> {
    for (let attempt = 0; attempt <= QUEUE_RETRIES; attempt += 1) {
      if (attempt > 0 && !this.#running) return;

      const status = await this.#invoke(
        this.#trigger,
        message.Body ?? '',
      ).catch(() => 599);
      if (status < 300) {
        await this.#sqs
          .send(
            new DeleteMessageCommand({
              QueueUrl: queueUrl,
              ReceiptHandle: message.ReceiptHandle,
            }),
          )
          .catch((error: unknown) =>
            this.#events.onPollError?.(this.#trigger, error),
          );
        return;
      }
    }

    this.#events.onGiveUp?.(this.#trigger, message.MessageId ?? '');
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
