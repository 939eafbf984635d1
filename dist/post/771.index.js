export const id = 771;
export const ids = [771];
export const modules = {

/***/ 5771:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   EC2Client: () => (/* reexport safe */ _aws_sdk_client_ec2__WEBPACK_IMPORTED_MODULE_0__.gu5),
/* harmony export */   IAMClient: () => (/* reexport safe */ _aws_sdk_client_iam__WEBPACK_IMPORTED_MODULE_1__.h8v),
/* harmony export */   KMSClient: () => (/* reexport safe */ _aws_sdk_client_kms__WEBPACK_IMPORTED_MODULE_2__.pgq),
/* harmony export */   SSMClient: () => (/* reexport safe */ _aws_sdk_client_ssm__WEBPACK_IMPORTED_MODULE_3__.jBj)
/* harmony export */ });
/* harmony import */ var _aws_sdk_client_ec2__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(5193);
/* harmony import */ var _aws_sdk_client_iam__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(6764);
/* harmony import */ var _aws_sdk_client_kms__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(2632);
/* harmony import */ var _aws_sdk_client_ssm__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(4736);
// The clients other than STS: most of the bundle, loaded by loadServiceClients (clients.ts) off the start-up path.






/***/ })

};
