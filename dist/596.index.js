export const id = 596;
export const ids = [596];
export const modules = {

/***/ 596:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   azureConnection: () => (/* reexport safe */ _chunk_QUT6E7CE_js__WEBPACK_IMPORTED_MODULE_1__.f)
/* harmony export */ });
/* harmony import */ var node_module__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(995);
/* harmony import */ var _chunk_QUT6E7CE_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(497);
/* harmony import */ var _chunk_PEB2YFZH_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(215);
/* harmony import */ var _chunk_7J4SY7Z3_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(926);
/* harmony import */ var _chunk_GJNINPFE_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(798);
 const require = (0,node_module__WEBPACK_IMPORTED_MODULE_0__.createRequire)(import.meta.url);



/***/ }),

/***/ 497:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   b: () => (/* binding */ d),
/* harmony export */   f: () => (/* binding */ h),
/* harmony export */   g: () => (/* binding */ A)
/* harmony export */ });
/* unused harmony exports a, c, d, e */
/* harmony import */ var node_module__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(995);
/* harmony import */ var _chunk_PEB2YFZH_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(215);
 const require = (0,node_module__WEBPACK_IMPORTED_MODULE_0__.createRequire)(import.meta.url);
var l="api://AzureADTokenExchange",d="Azure sign-in with OIDC needs an ID token from GitHub, and this job has none (ACTIONS_ID_TOKEN_REQUEST_URL is not set). Give the workflow `permissions: id-token: write` (next to `contents: read` and `pull-requests: write`). Pull requests from forks never get an ID token, so their plans cannot read Azure.",n=class extends Error{constructor(){super(d),this.name="IdTokenUnavailableError"}},u=_chunk_PEB2YFZH_js__WEBPACK_IMPORTED_MODULE_1__.b;function E(e){return!!(e.tenantId&&e.clientId)}function h(e,t,s,c=!1,o){let r;if(E(e))if(!t.ACTIONS_ID_TOKEN_REQUEST_URL||!t.ACTIONS_ID_TOKEN_REQUEST_TOKEN){if(!c)throw new n;r=I()}else r=(0,_chunk_PEB2YFZH_js__WEBPACK_IMPORTED_MODULE_1__.a)({kind:"clientAssertion",tenantId:e.tenantId,clientId:e.clientId,getAssertion:()=>s(l),authorityHost:e.authorityHost,ca:o});else r=(0,_chunk_PEB2YFZH_js__WEBPACK_IMPORTED_MODULE_1__.a)({kind:"default",authorityHost:e.authorityHost,ca:o});return{resourceManagerEndpoint:e.resourceManagerEndpoint,credential:r,scope:u(e.resourceManagerEndpoint),ca:o}}function I(){return{getToken(){return Promise.reject(new n)}}}function A(e){let t=e?.name;return e instanceof n||t==="IdTokenUnavailableError"||t==="CredentialUnavailableError"||t==="AggregateAuthenticationError"||t==="AuthenticationError"}


/***/ })

};
