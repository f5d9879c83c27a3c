/**
 * ARM resource ids as the emulator's routes and stored bodies use them. The
 * id grammar itself lives in src/model/arm-id.ts; this adds the error ARM
 * answers for an id it cannot read.
 */
import { type ArmId, armId, parseArmId, RESOURCE_GROUP_TYPE } from "../model/arm-id.js";
import { ArmError } from "./http.js";

/** `resourceId(s, rg, "Microsoft.Network/virtualNetworks/subnets", "v", "s")`. */
export function resourceId(subscriptionId: string, resourceGroup: string, type: string, ...names: string[]): string {
  const [namespace = "", ...types] = type.split("/");
  return armId(subscriptionId, resourceGroup, namespace, ...types.flatMap((t, i) => [t, names[i] ?? ""]));
}

/** The parts of a resource id (not a resource group id); a 400 as ARM answers it otherwise. */
export function parseResourceId(id: string): ArmId {
  const parsed = parseArmId(id);
  if (!parsed || parsed.type === RESOURCE_GROUP_TYPE) {
    throw new ArmError(
      400,
      "LinkedInvalidPropertyId",
      `Property id '${id}' at path 'id' is invalid. Expect fully qualified resource Id that start with '/subscriptions/{subscriptionId}' or '/providers/{resourceProviderNamespace}/'.`,
    );
  }
  return parsed;
}
