/**
 * The public cloud's endpoints, in a module of their own that loads no SDK:
 * the action validates its inputs against them before it loads the Azure
 * clients (src/action/entry.ts loads those only once a run needs Azure).
 */
export const PUBLIC_RESOURCE_MANAGER = "https://management.azure.com";
export const PUBLIC_AUTHORITY_HOST = "https://login.microsoftonline.com";
