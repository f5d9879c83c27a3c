export const id = 812;
export const ids = [812];
export const modules = {

/***/ 309:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   a: () => (/* binding */ d),
/* harmony export */   b: () => (/* binding */ h),
/* harmony export */   c: () => (/* binding */ _)
/* harmony export */ });
/* harmony import */ var node_module__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(995);
/* harmony import */ var _chunk_ICC4GOEB_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(595);
 const require = (0,node_module__WEBPACK_IMPORTED_MODULE_0__.createRequire)(import.meta.url);
var d="Azure sign-in with OIDC needs an ID token from GitHub, and this job has none (ACTIONS_ID_TOKEN_REQUEST_URL is not set). Give the workflow `permissions: id-token: write` (next to `contents: read` and `pull-requests: write`). Pull requests from forks never get an ID token, so their plans cannot read Azure.",o=class extends Error{constructor(){super(d),this.name="IdTokenUnavailableError"}};function u(e){return!!(e.tenantId&&e.clientId)}function h(e,n,a,i=!1,t){let r;if(u(e))if(!n.ACTIONS_ID_TOKEN_REQUEST_URL||!n.ACTIONS_ID_TOKEN_REQUEST_TOKEN){if(!i)throw new o;r=E()}else{let c=e.cloud.oidcAudience;r=l((0,_chunk_ICC4GOEB_js__WEBPACK_IMPORTED_MODULE_1__.q)({kind:"clientAssertion",tenantId:e.tenantId,clientId:e.clientId,getAssertion:()=>a(c),authorityHost:e.cloud.authorityHost,ca:t}),c)}else r=(0,_chunk_ICC4GOEB_js__WEBPACK_IMPORTED_MODULE_1__.q)({kind:"default",authorityHost:e.cloud.authorityHost,ca:t});return{resourceManagerEndpoint:e.cloud.resourceManagerEndpoint,credential:r,scope:e.cloud.armScope,ca:t,...n.AZURE_DNS_NAME_SERVER_ADDRESS?{nameServerAddress:n.AZURE_DNS_NAME_SERVER_ADDRESS}:{}}}function l(e,n){return{async getToken(a,i){try{return await e.getToken(a,i)}catch(t){if(!(t instanceof Error)||!t.message.includes("AADSTS700212"))throw t;let r=new Error(`${t.message}
The GitHub ID token was requested for audience ${n}, and no federated credential of the app accepts it. Give the federated credential that audience, or set oidc-audience to the credential's (Azure Government uses api://AzureADTokenExchangeUSGov, Azure operated by 21Vianet api://AzureADTokenExchangeChina).`,{cause:t});throw r.name=t.name,r}}}}function E(){return{getToken(){return Promise.reject(new o)}}}function _(e){let n=e?.name;return e instanceof o||n==="IdTokenUnavailableError"||n==="CredentialUnavailableError"||n==="AggregateAuthenticationError"||n==="AuthenticationError"}


/***/ }),

/***/ 812:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   azureConnection: () => (/* reexport safe */ _chunk_FYXGQ6GL_js__WEBPACK_IMPORTED_MODULE_1__.b)
/* harmony export */ });
/* harmony import */ var node_module__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(995);
/* harmony import */ var _chunk_FYXGQ6GL_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(309);
/* harmony import */ var _chunk_ICC4GOEB_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(595);
/* harmony import */ var _chunk_JPKT2LIQ_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(736);
/* harmony import */ var _chunk_GJNINPFE_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(798);
 const require = (0,node_module__WEBPACK_IMPORTED_MODULE_0__.createRequire)(import.meta.url);



/***/ })

};
