<<<<<<<< HEAD:dist/480.index.js
export const id = 480;
export const ids = [480];
export const modules = {

/***/ 480:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   azureConnection: () => (/* reexport safe */ _chunk_WCRP3V3D_js__WEBPACK_IMPORTED_MODULE_1__.c)
/* harmony export */ });
/* harmony import */ var node_module__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(995);
/* harmony import */ var _chunk_WCRP3V3D_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(411);
/* harmony import */ var _chunk_NTR5KE64_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(832);
========
export const id = 559;
export const ids = [559];
export const modules = {

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


/***/ }),

/***/ 559:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   azureConnection: () => (/* reexport safe */ _chunk_QGNHCFPV_js__WEBPACK_IMPORTED_MODULE_1__.c)
/* harmony export */ });
/* harmony import */ var node_module__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(995);
/* harmony import */ var _chunk_QGNHCFPV_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(340);
/* harmony import */ var _chunk_AKKZU3U3_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(908);
>>>>>>>> 8a09a78 (Drift issue: only issues opened by bot-login count; rebuild dist):dist/559.index.js
/* harmony import */ var _chunk_53T5DIDY_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(206);
/* harmony import */ var _chunk_GJNINPFE_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(798);
 const require = (0,node_module__WEBPACK_IMPORTED_MODULE_0__.createRequire)(import.meta.url);



<<<<<<<< HEAD:dist/480.index.js
/***/ }),

/***/ 411:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   a: () => (/* binding */ d),
/* harmony export */   c: () => (/* binding */ f),
/* harmony export */   d: () => (/* binding */ I)
/* harmony export */ });
/* unused harmony export b */
/* harmony import */ var node_module__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(995);
/* harmony import */ var _chunk_NTR5KE64_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(832);
 const require = (0,node_module__WEBPACK_IMPORTED_MODULE_0__.createRequire)(import.meta.url);
var d="Azure sign-in with OIDC needs an ID token from GitHub, and this job has none (ACTIONS_ID_TOKEN_REQUEST_URL is not set). Give the workflow `permissions: id-token: write` (next to `contents: read` and `pull-requests: write`). Pull requests from forks never get an ID token, so their plans cannot read Azure.",o=class extends Error{constructor(){super(d),this.name="IdTokenUnavailableError"}};function u(e){return!!(e.tenantId&&e.clientId)}function f(e,t,a,i=!1,n){let r;if(u(e))if(!t.ACTIONS_ID_TOKEN_REQUEST_URL||!t.ACTIONS_ID_TOKEN_REQUEST_TOKEN){if(!i)throw new o;r=h()}else{let s=e.cloud.oidcAudience;r=l((0,_chunk_NTR5KE64_js__WEBPACK_IMPORTED_MODULE_1__.q)({kind:"clientAssertion",tenantId:e.tenantId,clientId:e.clientId,getAssertion:()=>a(s),authorityHost:e.cloud.authorityHost,ca:n}),s)}else r=(0,_chunk_NTR5KE64_js__WEBPACK_IMPORTED_MODULE_1__.q)({kind:"default",authorityHost:e.cloud.authorityHost,ca:n});return{resourceManagerEndpoint:e.cloud.resourceManagerEndpoint,credential:r,scope:e.cloud.armScope,ca:n}}function l(e,t){return{async getToken(a,i){try{return await e.getToken(a,i)}catch(n){if(!(n instanceof Error)||!n.message.includes("AADSTS700212"))throw n;let r=new Error(`${n.message}
The GitHub ID token was requested for audience ${t}, and no federated credential of the app accepts it. Give the federated credential that audience, or set oidc-audience to the credential's (Azure Government uses api://AzureADTokenExchangeUSGov, Azure operated by 21Vianet api://AzureADTokenExchangeChina).`,{cause:n});throw r.name=n.name,r}}}}function h(){return{getToken(){return Promise.reject(new o)}}}function I(e){let t=e?.name;return e instanceof o||t==="IdTokenUnavailableError"||t==="CredentialUnavailableError"||t==="AggregateAuthenticationError"||t==="AuthenticationError"}


========
>>>>>>>> 8a09a78 (Drift issue: only issues opened by bot-login count; rebuild dist):dist/559.index.js
/***/ })

};
