import * as core from "@actions/core";
import { ComputeManagementClient } from "@azure/arm-compute";
core.info("hello " + typeof ComputeManagementClient);
