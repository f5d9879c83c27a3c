export const id = 7;
export const ids = [7];
export const modules = {

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


/***/ }),

/***/ 7:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   azureConnection: () => (/* reexport safe */ _chunk_LHMLNECP_js__WEBPACK_IMPORTED_MODULE_1__.c)
/* harmony export */ });
/* harmony import */ var node_module__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(995);
/* harmony import */ var _chunk_LHMLNECP_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(66);
/* harmony import */ var _chunk_PEB2YFZH_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(215);
/* harmony import */ var _chunk_7J4SY7Z3_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(926);
/* harmony import */ var _chunk_GJNINPFE_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(798);
 const require = (0,node_module__WEBPACK_IMPORTED_MODULE_0__.createRequire)(import.meta.url);



/***/ })

};
