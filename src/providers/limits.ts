// Dify's documented upload limits: what a server that gives none is taken to allow (older Dify builds, Flowise,
// an app whose parameters could not be read).
import type { SystemLimits } from './types';

/** The defaults of Dify's `system_parameters` (MB / counts). Copy before changing. */
export const DEFAULT_LIMITS: Readonly<SystemLimits> = Object.freeze({
  fileSizeLimitMb: 15,
  imageFileSizeLimitMb: 10,
  audioFileSizeLimitMb: 50,
  videoFileSizeLimitMb: 100,
  workflowFileUploadLimit: 10,
});
