// Stub: the group API handlers register here.
import type { HandlerModule } from "../handler.js";

export const groupHandlers: HandlerModule[] = [];
