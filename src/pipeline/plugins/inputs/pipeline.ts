// The pipeline input: receives the events other pipelines' `pipeline` outputs send to its address, through the
// process-wide bus. A sender waits until this pipeline's queue has taken the batch: back-pressure across pipelines.

import { type BusReceiver, pipelineBus } from "../../agent/bus.js";
import type { Event } from "../../event/index.js";
import type { Input, InputSink, InputSpec, PluginContext } from "../api.js";

export class PipelineInput implements Input {
  private receiver: BusReceiver | undefined;
  private wakeOnStop: () => void = () => {};
  private readonly stopped = new Promise<void>((resolve) => {
    this.wakeOnStop = resolve;
  });
  private resolveListening!: () => void;
  readonly listening = new Promise<void>((resolve) => {
    this.resolveListening = resolve;
  });

  constructor(
    readonly address: string,
    private readonly context: PluginContext,
    private readonly bus = pipelineBus,
  ) {}

  async run(sink: InputSink): Promise<void> {
    const receiver: BusReceiver = {
      pipelineId: this.context.pipelineId,
      pluginId: this.context.id,
      accept: (events: Event[]) => sink.accept(events),
    };
    // Throws AddressInUseError: the runtime logs it and retries, as Logstash keeps retrying the registration.
    this.bus.listen(this.address, receiver);
    this.receiver = receiver;
    this.resolveListening();
    this.context.logger.debug("pipeline input listening", { plugin: this.context.id, address: this.address });
    await this.stopped;
    await this.bus.unlisten(this.address, receiver);
    this.receiver = undefined;
  }

  stop(): void {
    this.wakeOnStop();
  }

  get isListening(): boolean {
    return this.receiver !== undefined;
  }
}

export const pipelineInput: InputSpec = {
  kind: "input",
  name: "pipeline",
  doc: "Receives events sent by `pipeline` outputs of other pipelines in this process to its `address`.",
  defaultCodec: "plain",
  options: {
    address: {
      type: "string",
      required: true,
      doc: "The virtual address other pipelines send to (`send_to`); unique in the process.",
    },
  },
  create: (options, context) => new PipelineInput(options.string("address"), context),
};
