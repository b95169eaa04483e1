import type { SystemLimits } from './types';

/** The documented defaults of Dify's `system_parameters` (MB / counts): the limits of a server that gives none
 * (older Dify builds, Flowise, an app whose parameters could not be read). Copy before changing. */
export const DEFAULT_LIMITS: Readonly<SystemLimits> = Object.freeze({
  fileSizeLimitMb: 15,
  imageFileSizeLimitMb: 10,
  audioFileSizeLimitMb: 50,
  videoFileSizeLimitMb: 100,
  workflowFileUploadLimit: 10,
});
