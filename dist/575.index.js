export const id = 575;
export const ids = [575];
export const modules = {

/***/ 575:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   runPlan: () => (/* binding */ D)
/* harmony export */ });
/* harmony import */ var node_module__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(995);
/* harmony import */ var _chunk_QGNHCFPV_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(340);
/* harmony import */ var _chunk_R3LA3QU3_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(457);
/* harmony import */ var _chunk_VZYFMZPT_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(421);
/* harmony import */ var _chunk_AKKZU3U3_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(908);
/* harmony import */ var _chunk_53T5DIDY_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(206);
/* harmony import */ var _chunk_GJNINPFE_js__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(798);
 const require = (0,node_module__WEBPACK_IMPORTED_MODULE_0__.createRequire)(import.meta.url);
var w="GitHub refused the plan comment (403). Give the workflow `permissions: pull-requests: write`; pull requests from forks get a read-only token, so their plan is in this job summary only.";async function D(a,o,r){let t=o?.fromFork??!1,{core:n}=a;if(r&&n.info(`Planning into the job summary only: ${r}.`),o&&await T(a,o))return D(a,void 0,`pull request #${o.number} is closed, so its plan comment is left as it was`);let l=a.operationContext(t),s;try{s=await (0,_chunk_R3LA3QU3_js__WEBPACK_IMPORTED_MODULE_2__.e)(a.dir,l,a.workspace)}catch(e){if(t&&(0,_chunk_QGNHCFPV_js__WEBPACK_IMPORTED_MODULE_1__.d)(e))return z(a,e);if(e instanceof _chunk_R3LA3QU3_js__WEBPACK_IMPORTED_MODULE_2__.c)return O(a,o,e);throw e}let p=o?.headSha??a.sha;if(s.specErrors.length>0||!s.plan){(0,_chunk_R3LA3QU3_js__WEBPACK_IMPORTED_MODULE_2__.q)(n,s.specErrors);let e=(0,_chunk_R3LA3QU3_js__WEBPACK_IMPORTED_MODULE_2__.u)(a,"plan",{status:"spec-errors",sha:p},p);o&&await $(a,o,(0,_chunk_R3LA3QU3_js__WEBPACK_IMPORTED_MODULE_2__.m)(s.specErrors,e)),await n.appendSummary((0,_chunk_R3LA3QU3_js__WEBPACK_IMPORTED_MODULE_2__.m)(s.specErrors,{...e,maxChars:_chunk_R3LA3QU3_js__WEBPACK_IMPORTED_MODULE_2__.k})),a.fail(`${s.specErrors.length} error(s) in the proxy files in ${a.dir}/; see the annotations.`);return}let i=s.plan,S=(0,_chunk_R3LA3QU3_js__WEBPACK_IMPORTED_MODULE_2__.u)(a,"plan",(0,_chunk_R3LA3QU3_js__WEBPACK_IMPORTED_MODULE_2__.v)(i,p),p);if(o&&await $(a,o,(0,_chunk_R3LA3QU3_js__WEBPACK_IMPORTED_MODULE_2__.l)(i,S)),await a.log.group("Report",async()=>{await (0,_chunk_R3LA3QU3_js__WEBPACK_IMPORTED_MODULE_2__.r)(i,a.planJsonPath),(0,_chunk_R3LA3QU3_js__WEBPACK_IMPORTED_MODULE_2__.s)(n,(0,_chunk_VZYFMZPT_js__WEBPACK_IMPORTED_MODULE_3__.K)(i,a.planJsonPath)),await n.appendSummary((0,_chunk_R3LA3QU3_js__WEBPACK_IMPORTED_MODULE_2__.l)(i,{...S,maxChars:_chunk_R3LA3QU3_js__WEBPACK_IMPORTED_MODULE_2__.k}));let{add:e,change:c,destroy:_}=i.counts;n.info(`Plan: ${e} to add, ${c} to change, ${_} to destroy (fingerprint ${i.fingerprint}).`)}),i.errors.length>0){for(let e of i.errors){let c={title:`Proxy ${e.proxy}`};e.file&&(c.file=e.file),e.file&&e.line!==void 0&&(c.startLine=e.line),n.error(e.message,c)}a.fail(`The plan has ${i.errors.length} error(s) and cannot be applied.`)}}async function O(a,o,r){let t=o?.headSha??a.sha,n=(0,_chunk_R3LA3QU3_js__WEBPACK_IMPORTED_MODULE_2__.u)(a,"plan",{status:"plan-errors",sha:t},t),l=[`Nothing could be planned: the Azure Resource Manager at ${(0,_chunk_VZYFMZPT_js__WEBPACK_IMPORTED_MODULE_3__.w)(r.endpoint)} does not offer the api-versions this release uses.`,"",...r.problems.map(s=>`- ${(0,_chunk_VZYFMZPT_js__WEBPACK_IMPORTED_MODULE_3__.v)(s)}`),"","Sovereign clouds get new api-versions later than the public cloud: use a release built for this cloud's versions, or wait until the cloud offers them."];o&&await $(a,o,(0,_chunk_R3LA3QU3_js__WEBPACK_IMPORTED_MODULE_2__.n)(n,l)),await a.core.appendSummary((0,_chunk_R3LA3QU3_js__WEBPACK_IMPORTED_MODULE_2__.n)({...n,maxChars:_chunk_R3LA3QU3_js__WEBPACK_IMPORTED_MODULE_2__.k},l)),a.fail(r.message)}async function $(a,o,r){await a.log.group("Post plan",async()=>{try{let t=await a.api.upsertSticky(o.number,(0,_chunk_VZYFMZPT_js__WEBPACK_IMPORTED_MODULE_3__.q)("plan",a.dir,a.owner),r);a.core.info(`Plan comment ${t.action}: ${t.url} (${r.length} characters)`)}catch(t){if(!(0,_chunk_VZYFMZPT_js__WEBPACK_IMPORTED_MODULE_3__.H)(t))throw t;await a.core.appendSummary(`${(0,_chunk_VZYFMZPT_js__WEBPACK_IMPORTED_MODULE_3__.x)("WARNING",[w])}
`),o.fromFork?a.core.warning(w):a.fail(w)}})}async function T(a,o){return(await a.api.pullRequest(o.number)).state!=="open"}async function z(a,o){let t=`The proxy files are valid. Planning against Azure needs an Azure sign-in, which pull requests from forks do not get${o instanceof Error&&o.name!=="IdTokenUnavailableError"?` (${o.message.split(`
`)[0]})`:""}. A maintainer can push this branch to the repository itself to see the plan; changes are only applied from a plan that was reviewed on a pull request.`;a.core.warning(t),await a.core.appendSummary(`${(0,_chunk_VZYFMZPT_js__WEBPACK_IMPORTED_MODULE_3__.x)("NOTE",[t,"",_chunk_QGNHCFPV_js__WEBPACK_IMPORTED_MODULE_1__.a])}
`)}


/***/ }),

/***/ 340:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   a: () => (/* binding */ d),
/* harmony export */   c: () => (/* binding */ h),
/* harmony export */   d: () => (/* binding */ _)
/* harmony export */ });
/* unused harmony export b */
/* harmony import */ var node_module__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(995);
/* harmony import */ var _chunk_AKKZU3U3_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(908);
 const require = (0,node_module__WEBPACK_IMPORTED_MODULE_0__.createRequire)(import.meta.url);
var d="Azure sign-in with OIDC needs an ID token from GitHub, and this job has none (ACTIONS_ID_TOKEN_REQUEST_URL is not set). Give the workflow `permissions: id-token: write` (next to `contents: read` and `pull-requests: write`). Pull requests from forks never get an ID token, so their plans cannot read Azure.",o=class extends Error{constructor(){super(d),this.name="IdTokenUnavailableError"}};function u(e){return!!(e.tenantId&&e.clientId)}function h(e,n,a,i=!1,t){let r;if(u(e))if(!n.ACTIONS_ID_TOKEN_REQUEST_URL||!n.ACTIONS_ID_TOKEN_REQUEST_TOKEN){if(!i)throw new o;r=E()}else{let c=e.cloud.oidcAudience;r=l((0,_chunk_AKKZU3U3_js__WEBPACK_IMPORTED_MODULE_1__.o)({kind:"clientAssertion",tenantId:e.tenantId,clientId:e.clientId,getAssertion:()=>a(c),authorityHost:e.cloud.authorityHost,ca:t}),c)}else r=(0,_chunk_AKKZU3U3_js__WEBPACK_IMPORTED_MODULE_1__.o)({kind:"default",authorityHost:e.cloud.authorityHost,ca:t});return{resourceManagerEndpoint:e.cloud.resourceManagerEndpoint,credential:r,scope:e.cloud.armScope,ca:t,...n.AZURE_DNS_NAME_SERVER_ADDRESS?{nameServerAddress:n.AZURE_DNS_NAME_SERVER_ADDRESS}:{}}}function l(e,n){return{async getToken(a,i){try{return await e.getToken(a,i)}catch(t){if(!(t instanceof Error)||!t.message.includes("AADSTS700212"))throw t;let r=new Error(`${t.message}
The GitHub ID token was requested for audience ${n}, and no federated credential of the app accepts it. Give the federated credential that audience, or set oidc-audience to the credential's (Azure Government uses api://AzureADTokenExchangeUSGov, Azure operated by 21Vianet api://AzureADTokenExchangeChina).`,{cause:t});throw r.name=t.name,r}}}}function E(){return{getToken(){return Promise.reject(new o)}}}function _(e){let n=e?.name;return e instanceof o||n==="IdTokenUnavailableError"||n==="CredentialUnavailableError"||n==="AggregateAuthenticationError"||n==="AuthenticationError"}


/***/ })

};
