// The pipeline output: sends each batch, cloned per address, to the `pipeline` inputs listening on `send_to`.
// receive() resolves once every downstream queue has taken its copy, so a slow downstream slows this pipeline.

import { pipelineBus } from "../../agent/bus.js";
import type { Event } from "../../event/index.js";
import type { Output, OutputSpec, PluginContext } from "../api.js";

/** How often a blocked send (ensure_delivery, no listener yet) logs that it is still waiting. */
export const absentAddressWarnMs = 5000;

export class PipelineOutput implements Output {
  private closed = false;

  constructor(
    readonly sendTo: readonly string[],
    readonly ensureDelivery: boolean,
    private readonly context: PluginContext,
    private readonly bus = pipelineBus,
    private readonly warnEveryMs = absentAddressWarnMs,
  ) {}

  async receive(events: Event[]): Promise<void> {
    if (events.length === 0) return;
    for (const address of this.sendTo) await this.sendOne(address, events);
  }

  close(): void {
    this.closed = true;
  }

  private async sendOne(address: string, events: Event[]): Promise<void> {
    // Each downstream pipeline gets its own copies: a filter there must not change what another one sees.
    const copies = events.map((event) => event.clone());
    for (;;) {
      const receiver = this.bus.receiverOf(address);
      if (receiver !== undefined) return receiver.accept(copies);
      if (!this.ensureDelivery || this.closed) {
        this.context.logger.warn("no pipeline listens on the address; events dropped", {
          plugin: this.context.id,
          address,
          events: events.length,
        });
        this.context.countFailure("pipeline_address_absent");
        return;
      }
      this.context.logger.warn("waiting for a pipeline to listen on the address (ensure_delivery)", {
        plugin: this.context.id,
        address,
      });
      await this.bus.waitForListener(address, this.warnEveryMs);
    }
  }
}

export const pipelineOutput: OutputSpec = {
  kind: "output",
  name: "pipeline",
  doc: "Sends events to `pipeline` inputs of other pipelines in this process, by address.",
  defaultCodec: "plain",
  options: {
    send_to: {
      type: "array",
      required: true,
      doc: "Addresses of the `pipeline` inputs to send every event to (a copy each).",
    },
    ensure_delivery: {
      type: "boolean",
      default: true,
      doc: "Wait for an absent or busy downstream pipeline (true) or drop events for an absent one (false).",
    },
  },
  create(options, context) {
    const sendTo = options.stringArray("send_to");
    if (sendTo.length === 0) throw new Error("send_to must name at least one address");
    return new PipelineOutput(sendTo, options.boolean("ensure_delivery"), context);
  },
};
