export const id = 457;
export const ids = [457];
export const modules = {

/***/ 457:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   runPlan: () => (/* binding */ J)
/* harmony export */ });
/* harmony import */ var node_module__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(995);
/* harmony import */ var _chunk_LHMLNECP_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(66);
/* harmony import */ var _chunk_FUNE3N4W_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(361);
/* harmony import */ var _chunk_Q2Q3AFS2_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(832);
/* harmony import */ var _chunk_PEB2YFZH_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(215);
/* harmony import */ var _chunk_7J4SY7Z3_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(926);
/* harmony import */ var _chunk_GJNINPFE_js__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(798);
 const require = (0,node_module__WEBPACK_IMPORTED_MODULE_0__.createRequire)(import.meta.url);
var y="GitHub refused the plan comment (403). Give the workflow `permissions: pull-requests: write`; pull requests from forks get a read-only token, so their plan is in this job summary only.";async function J(o,r,s){let t=r?.fromFork??!1,{core:i}=o;s&&i.info(`Planning into the job summary only: ${s}.`);let u=o.operationContext(t),n;try{n=await (0,_chunk_FUNE3N4W_js__WEBPACK_IMPORTED_MODULE_2__.d)(o.dir,u,o.workspace)}catch(a){if(t&&(0,_chunk_LHMLNECP_js__WEBPACK_IMPORTED_MODULE_1__.d)(a))return M(o,a);throw a}let l=r?.headSha??o.sha;if(n.specErrors.length>0||!n.plan){(0,_chunk_FUNE3N4W_js__WEBPACK_IMPORTED_MODULE_2__.l)(i,n.specErrors);let a=(0,_chunk_FUNE3N4W_js__WEBPACK_IMPORTED_MODULE_2__.p)(o,"plan",{status:"spec-errors",sha:l},l);r&&await I(o,r,(0,_chunk_FUNE3N4W_js__WEBPACK_IMPORTED_MODULE_2__.h)(n.specErrors,a)),await i.appendSummary((0,_chunk_FUNE3N4W_js__WEBPACK_IMPORTED_MODULE_2__.h)(n.specErrors,{...a,maxChars:_chunk_FUNE3N4W_js__WEBPACK_IMPORTED_MODULE_2__.f})),o.fail(`${n.specErrors.length} error(s) in the proxy files in ${o.dir}/; see the annotations.`);return}let e=n.plan,g=(0,_chunk_FUNE3N4W_js__WEBPACK_IMPORTED_MODULE_2__.p)(o,"plan",(0,_chunk_FUNE3N4W_js__WEBPACK_IMPORTED_MODULE_2__.q)(e,l),l);if(r&&await I(o,r,(0,_chunk_FUNE3N4W_js__WEBPACK_IMPORTED_MODULE_2__.g)(e,g)),await o.log.group("Report",async()=>{await (0,_chunk_FUNE3N4W_js__WEBPACK_IMPORTED_MODULE_2__.m)(e,o.planJsonPath),(0,_chunk_FUNE3N4W_js__WEBPACK_IMPORTED_MODULE_2__.n)(i,(0,_chunk_Q2Q3AFS2_js__WEBPACK_IMPORTED_MODULE_3__.I)(e,o.planJsonPath)),await i.appendSummary((0,_chunk_FUNE3N4W_js__WEBPACK_IMPORTED_MODULE_2__.g)(e,{...g,maxChars:_chunk_FUNE3N4W_js__WEBPACK_IMPORTED_MODULE_2__.f}));let{add:a,change:p,destroy:F}=e.counts;i.info(`Plan: ${a} to add, ${p} to change, ${F} to destroy (fingerprint ${e.fingerprint}).`)}),e.errors.length>0){for(let a of e.errors){let p={title:`Proxy ${a.proxy}`};a.file&&(p.file=a.file),a.file&&a.line!==void 0&&(p.startLine=a.line),i.error(a.message,p)}o.fail(`The plan has ${e.errors.length} error(s) and cannot be applied.`)}}async function I(o,r,s){await o.log.group("Post plan",async()=>{try{let t=await o.api.upsertSticky(r.number,(0,_chunk_Q2Q3AFS2_js__WEBPACK_IMPORTED_MODULE_3__.t)("plan",o.dir,o.owner),s);o.core.info(`Plan comment ${t.action}: ${t.url} (${s.length} characters)`)}catch(t){if(!(0,_chunk_Q2Q3AFS2_js__WEBPACK_IMPORTED_MODULE_3__.F)(t))throw t;await o.core.appendSummary((0,_chunk_Q2Q3AFS2_js__WEBPACK_IMPORTED_MODULE_3__.z)("WARNING",[y])+`
`),r.fromFork?o.core.warning(y):o.fail(y)}})}async function M(o,r){let t=`The proxy files are valid. Planning against Azure needs an Azure sign-in, which pull requests from forks do not get${r instanceof Error&&r.name!=="IdTokenUnavailableError"?` (${r.message.split(`
`)[0]})`:""}. A maintainer can push this branch to the repository itself to see the plan; changes are only applied from a plan that was reviewed on a pull request.`;o.core.warning(t),await o.core.appendSummary(`${(0,_chunk_Q2Q3AFS2_js__WEBPACK_IMPORTED_MODULE_3__.z)("NOTE",[t,"",_chunk_LHMLNECP_js__WEBPACK_IMPORTED_MODULE_1__.a])}
`)}


/***/ }),

/***/ 66:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   a: () => (/* binding */ d),
/* harmony export */   c: () => (/* binding */ _),
/* harmony export */   d: () => (/* binding */ h)
/* harmony export */ });
/* unused harmony export b */
/* harmony import */ var node_module__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(995);
/* harmony import */ var _chunk_PEB2YFZH_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(215);
 const require = (0,node_module__WEBPACK_IMPORTED_MODULE_0__.createRequire)(import.meta.url);
var c="api://AzureADTokenExchange",d="Azure sign-in with OIDC needs an ID token from GitHub, and this job has none (ACTIONS_ID_TOKEN_REQUEST_URL is not set). Give the workflow `permissions: id-token: write` (next to `contents: read` and `pull-requests: write`). Pull requests from forks never get an ID token, so their plans cannot read Azure.",t=class extends Error{constructor(){super(d),this.name="IdTokenUnavailableError"}};function u(e){return!!(e.tenantId&&e.clientId)}function _(e,n,s,l=!1,o){let r;if(u(e))if(!n.ACTIONS_ID_TOKEN_REQUEST_URL||!n.ACTIONS_ID_TOKEN_REQUEST_TOKEN){if(!l)throw new t;r=E()}else r=(0,_chunk_PEB2YFZH_js__WEBPACK_IMPORTED_MODULE_1__.a)({kind:"clientAssertion",tenantId:e.tenantId,clientId:e.clientId,getAssertion:()=>s(c),authorityHost:e.authorityHost,ca:o});else r=(0,_chunk_PEB2YFZH_js__WEBPACK_IMPORTED_MODULE_1__.a)({kind:"default",authorityHost:e.authorityHost,ca:o});return{resourceManagerEndpoint:e.resourceManagerEndpoint,credential:r,scope:(0,_chunk_PEB2YFZH_js__WEBPACK_IMPORTED_MODULE_1__.b)(e.resourceManagerEndpoint),ca:o}}function E(){return{getToken(){return Promise.reject(new t)}}}function h(e){let n=e?.name;return e instanceof t||n==="IdTokenUnavailableError"||n==="CredentialUnavailableError"||n==="AggregateAuthenticationError"||n==="AuthenticationError"}


/***/ })

};
