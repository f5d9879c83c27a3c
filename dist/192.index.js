export const id = 192;
export const ids = [192];
export const modules = {

/***/ 192:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   azureConnection: () => (/* reexport safe */ _chunk_XVCF7X4X_js__WEBPACK_IMPORTED_MODULE_1__.c)
/* harmony export */ });
/* harmony import */ var node_module__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(995);
/* harmony import */ var _chunk_XVCF7X4X_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(177);
/* harmony import */ var _chunk_PEB2YFZH_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(215);
/* harmony import */ var _chunk_7J4SY7Z3_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(926);
/* harmony import */ var _chunk_GJNINPFE_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(798);
 const require = (0,node_module__WEBPACK_IMPORTED_MODULE_0__.createRequire)(import.meta.url);



/***/ }),

/***/ 177:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   a: () => (/* binding */ c),
/* harmony export */   c: () => (/* binding */ A),
/* harmony export */   d: () => (/* binding */ S)
/* harmony export */ });
/* unused harmony export b */
/* harmony import */ var node_module__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(995);
/* harmony import */ var _chunk_PEB2YFZH_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(215);
 const require = (0,node_module__WEBPACK_IMPORTED_MODULE_0__.createRequire)(import.meta.url);
var l="api://AzureADTokenExchange",c="Azure sign-in with OIDC needs an ID token from GitHub, and this job has none (ACTIONS_ID_TOKEN_REQUEST_URL is not set). Give the workflow `permissions: id-token: write` (next to `contents: read` and `pull-requests: write`). Pull requests from forks never get an ID token, so their plans cannot read Azure.",n=class extends Error{constructor(){super(c),this.name="IdTokenUnavailableError"}};function d(e){return!!(e.tenantId&&e.clientId)}function A(e,t,s,E=!1,o){let r;if(d(e))if(!t.ACTIONS_ID_TOKEN_REQUEST_URL||!t.ACTIONS_ID_TOKEN_REQUEST_TOKEN){if(!E)throw new n;r=u()}else r=(0,_chunk_PEB2YFZH_js__WEBPACK_IMPORTED_MODULE_1__.a)({kind:"clientAssertion",tenantId:e.tenantId,clientId:e.clientId,getAssertion:()=>s(l),authorityHost:e.authorityHost,ca:o});else r=(0,_chunk_PEB2YFZH_js__WEBPACK_IMPORTED_MODULE_1__.a)({kind:"default",authorityHost:e.authorityHost,ca:o});return{resourceManagerEndpoint:e.resourceManagerEndpoint,credential:r,scope:(0,_chunk_PEB2YFZH_js__WEBPACK_IMPORTED_MODULE_1__.b)(e.resourceManagerEndpoint),ca:o,...t.AZURE_DNS_NAME_SERVER_ADDRESS?{nameServerAddress:t.AZURE_DNS_NAME_SERVER_ADDRESS}:{}}}function u(){return{getToken(){return Promise.reject(new n)}}}function S(e){let t=e?.name;return e instanceof n||t==="IdTokenUnavailableError"||t==="CredentialUnavailableError"||t==="AggregateAuthenticationError"||t==="AuthenticationError"}


/***/ })

};
