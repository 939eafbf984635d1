export const id = 453;
export const ids = [453];
export const modules = {

/***/ 6764:
/***/ ((__unused_webpack_module, exports, __webpack_require__) => {

var __webpack_unused_export__;
const { awsEndpointFunctions, emitWarningIfUnsupportedVersion: emitWarningIfUnsupportedVersion$1, createDefaultUserAgentProvider, getDefaultSocketTimeout, NODE_APP_ID_CONFIG_OPTIONS, getAwsRegionExtensionConfiguration, resolveAwsRegionExtensionConfiguration, resolveUserAgentConfig, resolveHostHeaderConfig, getUserAgentPlugin, getHostHeaderPlugin, getLoggerPlugin, getRecursionDetectionPlugin } = __webpack_require__(5152);
const { getHttpAuthSchemeEndpointRuleSetPlugin, DefaultIdentityProviderConfig, getHttpSigningPlugin, createPaginator } = __webpack_require__(402);
const { normalizeProvider, getSmithyContext, ServiceException, NoOpLogger, emitWarningIfUnsupportedVersion, loadConfigsForDefaultMode, getDefaultExtensionConfiguration, resolveDefaultRuntimeConfig, Client, makeBuilder, createWaiter, checkExceptions, WaiterState, createAggregatedClient } = __webpack_require__(2658);
const { Command: $Command } = __webpack_require__(2658);
__webpack_unused_export__ = $Command;
__webpack_unused_export__ = Client;
const { resolveDefaultsModeConfig, loadConfig, NODE_USE_FIPS_ENDPOINT_CONFIG_OPTIONS, NODE_USE_DUALSTACK_ENDPOINT_CONFIG_OPTIONS, NODE_REGION_CONFIG_OPTIONS, NODE_REGION_CONFIG_FILE_OPTIONS, resolveRegionConfig } = __webpack_require__(7291);
const { BinaryDecisionDiagram, EndpointCache, decideEndpoint, customEndpointFunctions, resolveEndpointConfig, getEndpointPlugin } = __webpack_require__(2085);
const { parseUrl, getHttpHandlerExtensionConfiguration, resolveHttpHandlerRuntimeConfig, getContentLengthPlugin } = __webpack_require__(3422);
const { DEFAULT_RETRY_MODE, NODE_RETRY_MODE_CONFIG_OPTIONS, NODE_MAX_ATTEMPT_CONFIG_OPTIONS, resolveRetryConfig, getRetryPlugin } = __webpack_require__(3609);
const { TypeRegistry, getSchemaSerdePlugin } = __webpack_require__(6890);
const { resolveAwsSdkSigV4Config, AwsSdkSigV4Signer, NODE_AUTH_SCHEME_PREFERENCE_OPTIONS } = __webpack_require__(7523);
const { defaultProvider } = __webpack_require__(5861);
const { toUtf8, fromUtf8, toBase64, fromBase64, calculateBodyLength } = __webpack_require__(2430);
const { streamCollector, NodeHttpHandler } = __webpack_require__(1279);
const { AwsQueryProtocol } = __webpack_require__(7288);
const { Sha256 } = __webpack_require__(9542);

const defaultIAMHttpAuthSchemeParametersProvider = async (config, context, input) => {
    return {
        operation: getSmithyContext(context).operation,
        region: await normalizeProvider(config.region)() || (() => {
            throw new Error("expected `region` to be configured for `aws.auth#sigv4`");
        })(),
    };
};
function createAwsAuthSigv4HttpAuthOption(authParameters) {
    return {
        schemeId: "aws.auth#sigv4",
        signingProperties: {
            name: "iam",
            region: authParameters.region,
        },
        propertiesExtractor: (config, context) => ({
            signingProperties: {
                config,
                context,
            },
        }),
    };
}
const defaultIAMHttpAuthSchemeProvider = (authParameters) => {
    const options = [];
    switch (authParameters.operation) {
        default: {
            options.push(createAwsAuthSigv4HttpAuthOption(authParameters));
        }
    }
    return options;
};
const resolveHttpAuthSchemeConfig = (config) => {
    const config_0 = resolveAwsSdkSigV4Config(config);
    return Object.assign(config_0, {
        authSchemePreference: normalizeProvider(config.authSchemePreference ?? []),
    });
};

const resolveClientEndpointParameters = (options) => {
    return Object.assign(options, {
        useDualstackEndpoint: options.useDualstackEndpoint ?? false,
        useFipsEndpoint: options.useFipsEndpoint ?? false,
        defaultSigningName: "iam",
    });
};
const commonParams = {
    UseFIPS: { type: "builtInParams", name: "useFipsEndpoint" },
    Endpoint: { type: "builtInParams", name: "endpoint" },
    Region: { type: "builtInParams", name: "region" },
    UseDualStack: { type: "builtInParams", name: "useDualstackEndpoint" },
};

var version = "3.1168.0";
var packageInfo = {
	version: version};

const v = "ref", w = "authSchemes", x = "name", y = "signingRegion";
const a = -1, b = true, c = "isSet", d = "PartitionResult", e = "stringEquals", f = "booleanEquals", g = "getAttr", h = { [v]: "Endpoint" }, i = { "fn": g, "argv": [{ [v]: d }, "name"] }, j = { [v]: d }, k = { [w]: [{ [x]: "sigv4", [y]: "us-east-1" }] }, l = { [w]: [{ [x]: "sigv4", [y]: "cn-north-1" }] }, m = { [w]: [{ [x]: "sigv4", [y]: "us-gov-west-1" }] }, n = { [w]: [{ [x]: "sigv4", [y]: "us-iso-east-1" }] }, o = { [w]: [{ [x]: "sigv4", [y]: "us-isob-east-1" }] }, p = { [w]: [{ [x]: "sigv4", [y]: "eu-isoe-west-1" }] }, q = { [w]: [{ [x]: "sigv4", [y]: "us-isof-south-1" }] }, s = { [w]: [{ [x]: "sigv4", [y]: "eusc-de-east-1" }] }, t = { [w]: [{ [x]: "sigv4", [y]: "{PartitionResult#implicitGlobalRegion}" }] }, u = [{ [v]: "Region" }];
const _data = {
    conditions: [
        [c, [h]],
        [c, u],
        ["aws.partition", u, d],
        [e, [i, "aws"]],
        [e, [i, "aws-cn"]],
        [e, [i, "aws-us-gov"]],
        [e, [i, "aws-iso"]],
        [f, [{ [v]: "UseFIPS" }, b]],
        [f, [{ [v]: "UseDualStack" }, b]],
        [e, [i, "aws-iso-b"]],
        [e, [i, "aws-iso-e"]],
        [e, [i, "aws-iso-f"]],
        [e, [i, "aws-eusc"]],
        [f, [{ fn: g, argv: [j, "supportsDualStack"] }, b]],
        [f, [{ fn: g, argv: [j, "supportsFIPS"] }, b]]
    ],
    results: [
        [a],
        [a, "Invalid Configuration: FIPS and custom endpoint are not supported"],
        [a, "Invalid Configuration: Dualstack and custom endpoint are not supported"],
        [h, {}],
        ["https://iam.amazonaws.com", k],
        ["https://iam-fips.amazonaws.com", k],
        ["https://iam.global.api.aws", k],
        ["https://iam-fips.global.api.aws", k],
        ["https://iam.global.api.amazonwebservices.com.cn", l],
        ["https://iam-fips.api.amazonwebservices.com.cn", l],
        ["https://iam.cn-north-1.amazonaws.com.cn", l],
        ["https://iam-fips.amazonaws.com.cn", l],
        ["https://iam.us-gov.api.aws", m],
        ["https://iam.us-gov.amazonaws.com", m],
        ["https://iam.us-iso-east-1.c2s.ic.gov", n],
        ["https://iam-fips.us-iso-east-1.c2s.ic.gov", n],
        ["https://iam.api.aws.ic.gov", n],
        ["https://iam-fips.api.aws.ic.gov", n],
        ["https://iam.us-isob-east-1.sc2s.sgov.gov", o],
        ["https://iam-fips.us-isob-east-1.sc2s.sgov.gov", o],
        ["https://iam.api.aws.scloud", o],
        ["https://iam-fips.api.aws.scloud", o],
        ["https://iam.eu-isoe-west-1.cloud.adc-e.uk", p],
        ["https://iam-fips.cloud.adc-e.uk", p],
        ["https://iam.api.cloud-aws.adc-e.uk", p],
        ["https://iam-fips.api.cloud-aws.adc-e.uk", p],
        ["https://iam.us-isof-south-1.csp.hci.ic.gov", q],
        ["https://iam-fips.csp.hci.ic.gov", q],
        ["https://iam.api.aws.hci.ic.gov", q],
        ["https://iam-fips.api.aws.hci.ic.gov", q],
        ["https://iam.eusc-de-east-1.amazonaws.eu", s],
        ["https://iam-fips.amazonaws.eu", s],
        ["https://iam.global.api.amazonwebservices.eu", s],
        ["https://iam-fips.api.amazonwebservices.eu", s],
        ["https://iam-fips.{PartitionResult#implicitGlobalRegion}.{PartitionResult#dualStackDnsSuffix}", t],
        [a, "FIPS and DualStack are enabled, but this partition does not support one or both"],
        ["https://iam-fips.{PartitionResult#implicitGlobalRegion}.{PartitionResult#dnsSuffix}", t],
        [a, "FIPS is enabled but this partition does not support FIPS"],
        ["https://iam.{PartitionResult#implicitGlobalRegion}.{PartitionResult#dualStackDnsSuffix}", t],
        [a, "DualStack is enabled but this partition does not support DualStack"],
        ["https://iam.{PartitionResult#implicitGlobalRegion}.{PartitionResult#dnsSuffix}", t],
        [a, "Invalid Configuration: Missing Region"]
    ]
};
const root = 2;
const r = 100_000_000;
const nodes = new Int32Array([
    -1, 1, -1,
    0, 42, 3,
    1, 4, r + 41,
    2, 5, r + 41,
    3, 39, 6,
    4, 36, 7,
    5, 35, 8,
    6, 32, 9,
    7, 20, 10,
    8, 15, 11,
    9, r + 18, 12,
    10, r + 22, 13,
    11, r + 26, 14,
    12, r + 30, r + 40,
    9, r + 20, 16,
    10, r + 24, 17,
    11, r + 28, 18,
    12, r + 32, 19,
    13, r + 38, r + 39,
    8, 26, 21,
    9, r + 19, 22,
    10, r + 23, 23,
    11, r + 27, 24,
    12, r + 31, 25,
    14, r + 36, r + 37,
    9, r + 21, 27,
    10, r + 25, 28,
    11, r + 29, 29,
    12, r + 33, 30,
    13, 31, r + 35,
    14, r + 34, r + 35,
    7, 34, 33,
    8, r + 16, r + 14,
    8, r + 17, r + 15,
    8, r + 12, r + 13,
    7, 38, 37,
    8, r + 8, r + 10,
    8, r + 9, r + 11,
    7, 41, 40,
    8, r + 6, r + 4,
    8, r + 7, r + 5,
    7, r + 1, 43,
    8, r + 2, r + 3,
]);
const bdd = BinaryDecisionDiagram.from(nodes, root, _data.conditions, _data.results);

const cache = new EndpointCache({
    size: 50,
    params: ["Endpoint", "Region", "UseDualStack", "UseFIPS"],
});
const defaultEndpointResolver = (endpointParams, context = {}) => {
    return cache.get(endpointParams, () => decideEndpoint(bdd, {
        endpointParams: endpointParams,
        logger: context.logger,
    }));
};
customEndpointFunctions.aws = awsEndpointFunctions;

class IAMServiceException extends ServiceException {
    static shapeId = "smithy.ts.sdk.synthetic.com.amazonaws.iam#IAMServiceException";
    constructor(options) {
        super(options);
        Object.setPrototypeOf(this, IAMServiceException.prototype);
    }
}

class ConcurrentModificationException extends IAMServiceException {
    static shapeId = "com.amazonaws.iam#ConcurrentModificationException";
    name = "ConcurrentModificationException";
    $fault = "client";
    constructor(opts) {
        super({
            name: "ConcurrentModificationException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, ConcurrentModificationException.prototype);
    }
}
class NoSuchEntityException extends IAMServiceException {
    static shapeId = "com.amazonaws.iam#NoSuchEntityException";
    name = "NoSuchEntityException";
    $fault = "client";
    constructor(opts) {
        super({
            name: "NoSuchEntityException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, NoSuchEntityException.prototype);
    }
}
class ServiceFailureException extends IAMServiceException {
    static shapeId = "com.amazonaws.iam#ServiceFailureException";
    name = "ServiceFailureException";
    $fault = "server";
    constructor(opts) {
        super({
            name: "ServiceFailureException",
            $fault: "server",
            ...opts,
        });
        Object.setPrototypeOf(this, ServiceFailureException.prototype);
    }
}
class AccountNotManagementOrDelegatedAdministratorException extends IAMServiceException {
    static shapeId = "com.amazonaws.iam#AccountNotManagementOrDelegatedAdministratorException";
    name = "AccountNotManagementOrDelegatedAdministratorException";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "AccountNotManagementOrDelegatedAdministratorException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, AccountNotManagementOrDelegatedAdministratorException.prototype);
        this.Message = opts.Message;
    }
}
class EntityAlreadyExistsException extends IAMServiceException {
    static shapeId = "com.amazonaws.iam#EntityAlreadyExistsException";
    name = "EntityAlreadyExistsException";
    $fault = "client";
    constructor(opts) {
        super({
            name: "EntityAlreadyExistsException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, EntityAlreadyExistsException.prototype);
    }
}
class InvalidInputException extends IAMServiceException {
    static shapeId = "com.amazonaws.iam#InvalidInputException";
    name = "InvalidInputException";
    $fault = "client";
    constructor(opts) {
        super({
            name: "InvalidInputException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, InvalidInputException.prototype);
    }
}
class LimitExceededException extends IAMServiceException {
    static shapeId = "com.amazonaws.iam#LimitExceededException";
    name = "LimitExceededException";
    $fault = "client";
    constructor(opts) {
        super({
            name: "LimitExceededException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, LimitExceededException.prototype);
    }
}
class MalformedPolicyDocumentException extends IAMServiceException {
    static shapeId = "com.amazonaws.iam#MalformedPolicyDocumentException";
    name = "MalformedPolicyDocumentException";
    $fault = "client";
    constructor(opts) {
        super({
            name: "MalformedPolicyDocumentException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, MalformedPolicyDocumentException.prototype);
    }
}
class NameConflictException extends IAMServiceException {
    static shapeId = "com.amazonaws.iam#NameConflictException";
    name = "NameConflictException";
    $fault = "client";
    constructor(opts) {
        super({
            name: "NameConflictException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, NameConflictException.prototype);
    }
}
class RoleModifiedException extends IAMServiceException {
    static shapeId = "com.amazonaws.iam#RoleModifiedException";
    name = "RoleModifiedException";
    $fault = "client";
    constructor(opts) {
        super({
            name: "RoleModifiedException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, RoleModifiedException.prototype);
    }
}
class RoleTemplateDisabledException extends IAMServiceException {
    static shapeId = "com.amazonaws.iam#RoleTemplateDisabledException";
    name = "RoleTemplateDisabledException";
    $fault = "client";
    constructor(opts) {
        super({
            name: "RoleTemplateDisabledException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, RoleTemplateDisabledException.prototype);
    }
}
class UnmodifiableEntityException extends IAMServiceException {
    static shapeId = "com.amazonaws.iam#UnmodifiableEntityException";
    name = "UnmodifiableEntityException";
    $fault = "client";
    constructor(opts) {
        super({
            name: "UnmodifiableEntityException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, UnmodifiableEntityException.prototype);
    }
}
class PolicyNotAttachableException extends IAMServiceException {
    static shapeId = "com.amazonaws.iam#PolicyNotAttachableException";
    name = "PolicyNotAttachableException";
    $fault = "client";
    constructor(opts) {
        super({
            name: "PolicyNotAttachableException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, PolicyNotAttachableException.prototype);
    }
}
class EntityTemporarilyUnmodifiableException extends IAMServiceException {
    static shapeId = "com.amazonaws.iam#EntityTemporarilyUnmodifiableException";
    name = "EntityTemporarilyUnmodifiableException";
    $fault = "client";
    constructor(opts) {
        super({
            name: "EntityTemporarilyUnmodifiableException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, EntityTemporarilyUnmodifiableException.prototype);
    }
}
class InvalidUserTypeException extends IAMServiceException {
    static shapeId = "com.amazonaws.iam#InvalidUserTypeException";
    name = "InvalidUserTypeException";
    $fault = "client";
    constructor(opts) {
        super({
            name: "InvalidUserTypeException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, InvalidUserTypeException.prototype);
    }
}
class PasswordPolicyViolationException extends IAMServiceException {
    static shapeId = "com.amazonaws.iam#PasswordPolicyViolationException";
    name = "PasswordPolicyViolationException";
    $fault = "client";
    constructor(opts) {
        super({
            name: "PasswordPolicyViolationException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, PasswordPolicyViolationException.prototype);
    }
}
class OpenIdIdpCommunicationErrorException extends IAMServiceException {
    static shapeId = "com.amazonaws.iam#OpenIdIdpCommunicationErrorException";
    name = "OpenIdIdpCommunicationErrorException";
    $fault = "client";
    constructor(opts) {
        super({
            name: "OpenIdIdpCommunicationErrorException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, OpenIdIdpCommunicationErrorException.prototype);
    }
}
class ServiceNotSupportedException extends IAMServiceException {
    static shapeId = "com.amazonaws.iam#ServiceNotSupportedException";
    name = "ServiceNotSupportedException";
    $fault = "client";
    constructor(opts) {
        super({
            name: "ServiceNotSupportedException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, ServiceNotSupportedException.prototype);
    }
}
class DeleteConflictException extends IAMServiceException {
    static shapeId = "com.amazonaws.iam#DeleteConflictException";
    name = "DeleteConflictException";
    $fault = "client";
    constructor(opts) {
        super({
            name: "DeleteConflictException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, DeleteConflictException.prototype);
    }
}
class OrganizationNotFoundException extends IAMServiceException {
    static shapeId = "com.amazonaws.iam#OrganizationNotFoundException";
    name = "OrganizationNotFoundException";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "OrganizationNotFoundException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, OrganizationNotFoundException.prototype);
        this.Message = opts.Message;
    }
}
class OrganizationNotInAllFeaturesModeException extends IAMServiceException {
    static shapeId = "com.amazonaws.iam#OrganizationNotInAllFeaturesModeException";
    name = "OrganizationNotInAllFeaturesModeException";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "OrganizationNotInAllFeaturesModeException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, OrganizationNotInAllFeaturesModeException.prototype);
        this.Message = opts.Message;
    }
}
class ServiceAccessNotEnabledException extends IAMServiceException {
    static shapeId = "com.amazonaws.iam#ServiceAccessNotEnabledException";
    name = "ServiceAccessNotEnabledException";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "ServiceAccessNotEnabledException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, ServiceAccessNotEnabledException.prototype);
        this.Message = opts.Message;
    }
}
class FeatureDisabledException extends IAMServiceException {
    static shapeId = "com.amazonaws.iam#FeatureDisabledException";
    name = "FeatureDisabledException";
    $fault = "client";
    constructor(opts) {
        super({
            name: "FeatureDisabledException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, FeatureDisabledException.prototype);
    }
}
class InvalidAuthenticationCodeException extends IAMServiceException {
    static shapeId = "com.amazonaws.iam#InvalidAuthenticationCodeException";
    name = "InvalidAuthenticationCodeException";
    $fault = "client";
    constructor(opts) {
        super({
            name: "InvalidAuthenticationCodeException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, InvalidAuthenticationCodeException.prototype);
    }
}
class CallerIsNotManagementAccountException extends IAMServiceException {
    static shapeId = "com.amazonaws.iam#CallerIsNotManagementAccountException";
    name = "CallerIsNotManagementAccountException";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "CallerIsNotManagementAccountException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, CallerIsNotManagementAccountException.prototype);
        this.Message = opts.Message;
    }
}
class FeatureEnabledException extends IAMServiceException {
    static shapeId = "com.amazonaws.iam#FeatureEnabledException";
    name = "FeatureEnabledException";
    $fault = "client";
    constructor(opts) {
        super({
            name: "FeatureEnabledException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, FeatureEnabledException.prototype);
    }
}
class ReportGenerationLimitExceededException extends IAMServiceException {
    static shapeId = "com.amazonaws.iam#ReportGenerationLimitExceededException";
    name = "ReportGenerationLimitExceededException";
    $fault = "client";
    constructor(opts) {
        super({
            name: "ReportGenerationLimitExceededException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, ReportGenerationLimitExceededException.prototype);
    }
}
class CredentialReportExpiredException extends IAMServiceException {
    static shapeId = "com.amazonaws.iam#CredentialReportExpiredException";
    name = "CredentialReportExpiredException";
    $fault = "client";
    constructor(opts) {
        super({
            name: "CredentialReportExpiredException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, CredentialReportExpiredException.prototype);
    }
}
class CredentialReportNotPresentException extends IAMServiceException {
    static shapeId = "com.amazonaws.iam#CredentialReportNotPresentException";
    name = "CredentialReportNotPresentException";
    $fault = "client";
    constructor(opts) {
        super({
            name: "CredentialReportNotPresentException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, CredentialReportNotPresentException.prototype);
    }
}
class CredentialReportNotReadyException extends IAMServiceException {
    static shapeId = "com.amazonaws.iam#CredentialReportNotReadyException";
    name = "CredentialReportNotReadyException";
    $fault = "client";
    constructor(opts) {
        super({
            name: "CredentialReportNotReadyException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, CredentialReportNotReadyException.prototype);
    }
}
class UnrecognizedPublicKeyEncodingException extends IAMServiceException {
    static shapeId = "com.amazonaws.iam#UnrecognizedPublicKeyEncodingException";
    name = "UnrecognizedPublicKeyEncodingException";
    $fault = "client";
    constructor(opts) {
        super({
            name: "UnrecognizedPublicKeyEncodingException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, UnrecognizedPublicKeyEncodingException.prototype);
    }
}
class PolicyEvaluationException extends IAMServiceException {
    static shapeId = "com.amazonaws.iam#PolicyEvaluationException";
    name = "PolicyEvaluationException";
    $fault = "server";
    constructor(opts) {
        super({
            name: "PolicyEvaluationException",
            $fault: "server",
            ...opts,
        });
        Object.setPrototypeOf(this, PolicyEvaluationException.prototype);
    }
}
class KeyPairMismatchException extends IAMServiceException {
    static shapeId = "com.amazonaws.iam#KeyPairMismatchException";
    name = "KeyPairMismatchException";
    $fault = "client";
    constructor(opts) {
        super({
            name: "KeyPairMismatchException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, KeyPairMismatchException.prototype);
    }
}
class MalformedCertificateException extends IAMServiceException {
    static shapeId = "com.amazonaws.iam#MalformedCertificateException";
    name = "MalformedCertificateException";
    $fault = "client";
    constructor(opts) {
        super({
            name: "MalformedCertificateException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, MalformedCertificateException.prototype);
    }
}
class DuplicateCertificateException extends IAMServiceException {
    static shapeId = "com.amazonaws.iam#DuplicateCertificateException";
    name = "DuplicateCertificateException";
    $fault = "client";
    constructor(opts) {
        super({
            name: "DuplicateCertificateException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, DuplicateCertificateException.prototype);
    }
}
class InvalidCertificateException extends IAMServiceException {
    static shapeId = "com.amazonaws.iam#InvalidCertificateException";
    name = "InvalidCertificateException";
    $fault = "client";
    constructor(opts) {
        super({
            name: "InvalidCertificateException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, InvalidCertificateException.prototype);
    }
}
class DuplicateSSHPublicKeyException extends IAMServiceException {
    static shapeId = "com.amazonaws.iam#DuplicateSSHPublicKeyException";
    name = "DuplicateSSHPublicKeyException";
    $fault = "client";
    constructor(opts) {
        super({
            name: "DuplicateSSHPublicKeyException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, DuplicateSSHPublicKeyException.prototype);
    }
}
class InvalidPublicKeyException extends IAMServiceException {
    static shapeId = "com.amazonaws.iam#InvalidPublicKeyException";
    name = "InvalidPublicKeyException";
    $fault = "client";
    constructor(opts) {
        super({
            name: "InvalidPublicKeyException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, InvalidPublicKeyException.prototype);
    }
}

const _A = "Arn";
const _AA = "AccountAlias";
const _AAc = "AccountAliases";
const _ABO = "AllowedByOrganizations";
const _ABPB = "AllowedByPermissionsBoundary";
const _AC = "AuthenticationCode1";
const _ACIDTOIDCP = "AddClientIDToOpenIDConnectProvider";
const _ACIDTOIDCPR = "AddClientIDToOpenIDConnectProviderRequest";
const _ACt = "AttachmentCount";
const _ACu = "AuthenticationCode2";
const _AD = "AccessDetail";
const _ADR = "AcceptDelegationRequest";
const _ADRR = "AcceptDelegationRequestRequest";
const _ADRRs = "AssociateDelegationRequestRequest";
const _ADRs = "AssociateDelegationRequest";
const _ADc = "AccessDetails";
const _AEM = "AssertionEncryptionMode";
const _AGP = "AttachGroupPolicy";
const _AGPR = "AttachGroupPolicyRequest";
const _AI = "ApproverId";
const _AK = "AccessKey";
const _AKI = "AccessKeyId";
const _AKLU = "AccessKeyLastUsed";
const _AKM = "AccessKeyMetadata";
const _AMP = "AttachedManagedPolicies";
const _AN = "AttachmentName";
const _ANMODAE = "AccountNotManagementOrDelegatedAdministratorException";
const _ANc = "ActionNames";
const _ANct = "ActionName";
const _AP = "AttachedPolicy";
const _APB = "AttachedPermissionsBoundary";
const _APK = "AddPrivateKey";
const _APt = "AttachedPolicies";
const _AR = "AcquireRole";
const _ARP = "AttachRolePolicy";
const _ARPD = "AssumeRolePolicyDocument";
const _ARPDT = "AssumeRolePolicyDocumentTemplate";
const _ARPR = "AttachRolePolicyRequest";
const _ARR = "AcquireRoleRequest";
const _ARRc = "AcquireRoleResponse";
const _ARTIP = "AddRoleToInstanceProfile";
const _ARTIPR = "AddRoleToInstanceProfileRequest";
const _AS = "AssignmentStatus";
const _AT = "AttachmentType";
const _AU = "AllUsers";
const _AUP = "AttachUserPolicy";
const _AUPR = "AttachUserPolicyRequest";
const _AUTCP = "AllowUsersToChangePassword";
const _AUTG = "AddUserToGroup";
const _AUTGR = "AddUserToGroupRequest";
const _AWSSN = "AWSServiceName";
const _BD = "BootstrapDatum";
const _BSS = "Base32StringSeed";
const _C = "Code";
const _CA = "CallerArn";
const _CAA = "CreateAccountAlias";
const _CAAR = "CreateAccountAliasRequest";
const _CAD = "CredentialAgeDays";
const _CAK = "CreateAccessKey";
const _CAKR = "CreateAccessKeyRequest";
const _CAKRr = "CreateAccessKeyResponse";
const _CB = "CertificateBody";
const _CC = "CertificateChain";
const _CD = "CreateDate";
const _CDL = "ConsoleDeepLink";
const _CDR = "CreateDelegationRequest";
const _CDRR = "CreateDelegationRequestRequest";
const _CDRRr = "CreateDelegationRequestResponse";
const _CE = "ContextEntry";
const _CELT = "ContextEntryListType";
const _CEo = "ContextEntries";
const _CG = "CreateGroup";
const _CGR = "CreateGroupRequest";
const _CGRr = "CreateGroupResponse";
const _CI = "CertificateId";
const _CID = "ClientID";
const _CIDL = "ClientIDList";
const _CINMAE = "CallerIsNotManagementAccountException";
const _CIP = "CreateInstanceProfile";
const _CIPR = "CreateInstanceProfileRequest";
const _CIPRr = "CreateInstanceProfileResponse";
const _CKN = "ContextKeyName";
const _CKNo = "ContextKeyNames";
const _CKT = "ContextKeyType";
const _CKV = "ContextKeyValues";
const _CLP = "CreateLoginProfile";
const _CLPR = "CreateLoginProfileRequest";
const _CLPRr = "CreateLoginProfileResponse";
const _CME = "ConcurrentModificationException";
const _COIDCP = "CreateOpenIDConnectProvider";
const _COIDCPR = "CreateOpenIDConnectProviderRequest";
const _COIDCPRr = "CreateOpenIDConnectProviderResponse";
const _CP = "ChangePassword";
const _CPR = "ChangePasswordRequest";
const _CPRr = "CreatePolicyRequest";
const _CPRre = "CreatePolicyResponse";
const _CPV = "CreatePolicyVersion";
const _CPVR = "CreatePolicyVersionRequest";
const _CPVRr = "CreatePolicyVersionResponse";
const _CPr = "CreatePolicy";
const _CR = "CreateRole";
const _CREE = "CredentialReportExpiredException";
const _CRNPE = "CredentialReportNotPresentException";
const _CRNRE = "CredentialReportNotReadyException";
const _CRR = "CreateRoleRequest";
const _CRRr = "CreateRoleResponse";
const _CS = "CustomSuffix";
const _CSAMLP = "CreateSAMLProvider";
const _CSAMLPR = "CreateSAMLProviderRequest";
const _CSAMLPRr = "CreateSAMLProviderResponse";
const _CSLR = "CreateServiceLinkedRole";
const _CSLRR = "CreateServiceLinkedRoleRequest";
const _CSLRRr = "CreateServiceLinkedRoleResponse";
const _CSSC = "CreateServiceSpecificCredential";
const _CSSCR = "CreateServiceSpecificCredentialRequest";
const _CSSCRr = "CreateServiceSpecificCredentialResponse";
const _CT = "CreateTimestamp";
const _CU = "CreateUser";
const _CUR = "CreateUserRequest";
const _CURr = "CreateUserResponse";
const _CVMFAD = "CreateVirtualMFADevice";
const _CVMFADR = "CreateVirtualMFADeviceRequest";
const _CVMFADRr = "CreateVirtualMFADeviceResponse";
const _Ce = "Certifications";
const _Cer = "Certificates";
const _Cert = "Certificate";
const _Co = "Content";
const _Col = "Column";
const _D = "Description";
const _DAA = "DeleteAccountAlias";
const _DAAR = "DeleteAccountAliasRequest";
const _DAK = "DeleteAccessKey";
const _DAKR = "DeleteAccessKeyRequest";
const _DAPP = "DeleteAccountPasswordPolicy";
const _DCE = "DeleteConflictException";
const _DCEu = "DuplicateCertificateException";
const _DG = "DeleteGroup";
const _DGP = "DeleteGroupPolicy";
const _DGPR = "DeleteGroupPolicyRequest";
const _DGPRe = "DetachGroupPolicyRequest";
const _DGPe = "DetachGroupPolicy";
const _DGR = "DeleteGroupRequest";
const _DIP = "DeleteInstanceProfile";
const _DIPR = "DeleteInstanceProfileRequest";
const _DLP = "DeleteLoginProfile";
const _DLPR = "DeleteLoginProfileRequest";
const _DMFAD = "DeactivateMFADevice";
const _DMFADR = "DeactivateMFADeviceRequest";
const _DMV = "DefaultMinorVersion";
const _DOIDCP = "DeleteOpenIDConnectProvider";
const _DOIDCPR = "DeleteOpenIDConnectProviderRequest";
const _DORCM = "DisableOrganizationsRootCredentialsManagement";
const _DORCMR = "DisableOrganizationsRootCredentialsManagementRequest";
const _DORCMRi = "DisableOrganizationsRootCredentialsManagementResponse";
const _DORS = "DisableOrganizationsRootSessions";
const _DORSR = "DisableOrganizationsRootSessionsRequest";
const _DORSRi = "DisableOrganizationsRootSessionsResponse";
const _DOWIF = "DisableOutboundWebIdentityFederation";
const _DP = "DelegationPermission";
const _DPC = "DelegationPermissionCheck";
const _DPR = "DeletePolicyRequest";
const _DPV = "DeletePolicyVersion";
const _DPVR = "DeletePolicyVersionRequest";
const _DPe = "DeletePolicy";
const _DR = "DelegationRequest";
const _DRI = "DelegationRequestId";
const _DRP = "DeleteRolePolicy";
const _DRPB = "DeleteRolePermissionsBoundary";
const _DRPBR = "DeleteRolePermissionsBoundaryRequest";
const _DRPR = "DeleteRolePolicyRequest";
const _DRPRe = "DetachRolePolicyRequest";
const _DRPe = "DetachRolePolicy";
const _DRR = "DeleteRoleRequest";
const _DRe = "DelegationRequests";
const _DRel = "DeleteRole";
const _DSAMLP = "DeleteSAMLProvider";
const _DSAMLPR = "DeleteSAMLProviderRequest";
const _DSC = "DeleteServerCertificate";
const _DSCR = "DeleteServerCertificateRequest";
const _DSCRe = "DeleteSigningCertificateRequest";
const _DSCe = "DeleteSigningCertificate";
const _DSLR = "DeleteServiceLinkedRole";
const _DSLRR = "DeleteServiceLinkedRoleRequest";
const _DSLRRe = "DeleteServiceLinkedRoleResponse";
const _DSSC = "DeleteServiceSpecificCredential";
const _DSSCR = "DeleteServiceSpecificCredentialRequest";
const _DSSHPK = "DeleteSSHPublicKey";
const _DSSHPKE = "DuplicateSSHPublicKeyException";
const _DSSHPKR = "DeleteSSHPublicKeyRequest";
const _DTFRT = "DeletionTaskFailureReasonType";
const _DTI = "DeletionTaskId";
const _DU = "DeleteUser";
const _DUP = "DeleteUserPolicy";
const _DUPB = "DeleteUserPermissionsBoundary";
const _DUPBR = "DeleteUserPermissionsBoundaryRequest";
const _DUPR = "DeleteUserPolicyRequest";
const _DUPRe = "DetachUserPolicyRequest";
const _DUPe = "DetachUserPolicy";
const _DUR = "DeleteUserRequest";
const _DV = "DefaultValue";
const _DVI = "DefaultVersionId";
const _DVMFAD = "DeleteVirtualMFADevice";
const _DVMFADR = "DeleteVirtualMFADeviceRequest";
const _Do = "Document";
const _E = "Error";
const _EA = "EntityArn";
const _EAEE = "EntityAlreadyExistsException";
const _EAN = "EvalActionName";
const _ED = "EntityDetails";
const _EDD = "EvalDecisionDetails";
const _EDL = "EntityDetailsList";
const _EDn = "EnableDate";
const _EDr = "ErrorDetails";
const _EDv = "EvalDecision";
const _EDx = "ExpirationDate";
const _EF = "EnabledFeatures";
const _EFn = "EntityFilter";
const _EI = "EntityInfo";
const _EMFAD = "EnableMFADevice";
const _EMFADR = "EnableMFADeviceRequest";
const _EN = "EntityName";
const _EORCM = "EnableOrganizationsRootCredentialsManagement";
const _EORCMR = "EnableOrganizationsRootCredentialsManagementRequest";
const _EORCMRn = "EnableOrganizationsRootCredentialsManagementResponse";
const _EORS = "EnableOrganizationsRootSessions";
const _EORSR = "EnableOrganizationsRootSessionsRequest";
const _EORSRn = "EnableOrganizationsRootSessionsResponse";
const _EOWIF = "EnableOutboundWebIdentityFederation";
const _EOWIFR = "EnableOutboundWebIdentityFederationResponse";
const _EP = "EntityPath";
const _EPn = "EndPosition";
const _EPx = "ExpirePasswords";
const _ER = "EvaluationResult";
const _ERD = "EvalResourceDecision";
const _ERLT = "EvaluationResultsListType";
const _ERN = "EvalResourceName";
const _ERv = "EvaluationResults";
const _ET = "ExpirationTime";
const _ETUE = "EntityTemporarilyUnmodifiableException";
const _ETn = "EntityType";
const _En = "Encoding";
const _Ena = "Enabled";
const _Ex = "Expiration";
const _F = "Filter";
const _FDE = "FeatureDisabledException";
const _FEE = "FeatureEnabledException";
const _Fi = "Fingerprint";
const _G = "Group";
const _GAAD = "GetAccountAuthorizationDetails";
const _GAADR = "GetAccountAuthorizationDetailsRequest";
const _GAADRe = "GetAccountAuthorizationDetailsResponse";
const _GAKLU = "GetAccessKeyLastUsed";
const _GAKLUR = "GetAccessKeyLastUsedRequest";
const _GAKLURe = "GetAccessKeyLastUsedResponse";
const _GAP = "GetAccountProperties";
const _GAPP = "GetAccountPasswordPolicy";
const _GAPPR = "GetAccountPasswordPolicyResponse";
const _GAPR = "GetAccountPropertiesRequest";
const _GAPRe = "GetAccountPropertiesResponse";
const _GAS = "GetAccountSummary";
const _GASR = "GetAccountSummaryResponse";
const _GCKFCP = "GetContextKeysForCustomPolicy";
const _GCKFCPR = "GetContextKeysForCustomPolicyRequest";
const _GCKFPP = "GetContextKeysForPrincipalPolicy";
const _GCKFPPR = "GetContextKeysForPrincipalPolicyRequest";
const _GCKFPR = "GetContextKeysForPolicyResponse";
const _GCR = "GenerateCredentialReport";
const _GCRR = "GenerateCredentialReportResponse";
const _GCRRe = "GetCredentialReportResponse";
const _GCRe = "GetCredentialReport";
const _GD = "GroupDetail";
const _GDL = "GroupDetailList";
const _GDR = "GetDelegationRequest";
const _GDRR = "GetDelegationRequestRequest";
const _GDRRe = "GetDelegationRequestResponse";
const _GETV = "GlobalEndpointTokenVersion";
const _GG = "GetGroup";
const _GGP = "GetGroupPolicy";
const _GGPR = "GetGroupPolicyRequest";
const _GGPRe = "GetGroupPolicyResponse";
const _GGR = "GetGroupRequest";
const _GGRe = "GetGroupResponse";
const _GHRS = "GetHumanReadableSummary";
const _GHRSR = "GetHumanReadableSummaryRequest";
const _GHRSRe = "GetHumanReadableSummaryResponse";
const _GI = "GroupId";
const _GIP = "GetInstanceProfile";
const _GIPR = "GetInstanceProfileRequest";
const _GIPRe = "GetInstanceProfileResponse";
const _GL = "GroupList";
const _GLP = "GetLoginProfile";
const _GLPR = "GetLoginProfileRequest";
const _GLPRe = "GetLoginProfileResponse";
const _GMFAD = "GetMFADevice";
const _GMFADR = "GetMFADeviceRequest";
const _GMFADRe = "GetMFADeviceResponse";
const _GN = "GroupName";
const _GOAR = "GenerateOrganizationsAccessReport";
const _GOARR = "GenerateOrganizationsAccessReportRequest";
const _GOARRe = "GenerateOrganizationsAccessReportResponse";
const _GOARRet = "GetOrganizationsAccessReportRequest";
const _GOARRetr = "GetOrganizationsAccessReportResponse";
const _GOARe = "GetOrganizationsAccessReport";
const _GOIDCP = "GetOpenIDConnectProvider";
const _GOIDCPR = "GetOpenIDConnectProviderRequest";
const _GOIDCPRe = "GetOpenIDConnectProviderResponse";
const _GOWIFI = "GetOutboundWebIdentityFederationInfo";
const _GOWIFIR = "GetOutboundWebIdentityFederationInfoResponse";
const _GP = "GetPolicy";
const _GPL = "GroupPolicyList";
const _GPR = "GetPolicyRequest";
const _GPRe = "GetPolicyResponse";
const _GPV = "GetPolicyVersion";
const _GPVR = "GetPolicyVersionRequest";
const _GPVRe = "GetPolicyVersionResponse";
const _GR = "GetRole";
const _GRP = "GetRolePolicy";
const _GRPR = "GetRolePolicyRequest";
const _GRPRe = "GetRolePolicyResponse";
const _GRR = "GetRoleRequest";
const _GRRe = "GetRoleResponse";
const _GRTV = "GetRoleTemplateVersion";
const _GRTVR = "GetRoleTemplateVersionRequest";
const _GRTVRe = "GetRoleTemplateVersionResponse";
const _GSAMLP = "GetSAMLProvider";
const _GSAMLPR = "GetSAMLProviderRequest";
const _GSAMLPRe = "GetSAMLProviderResponse";
const _GSC = "GetServerCertificate";
const _GSCR = "GetServerCertificateRequest";
const _GSCRe = "GetServerCertificateResponse";
const _GSLAD = "GenerateServiceLastAccessedDetails";
const _GSLADR = "GenerateServiceLastAccessedDetailsRequest";
const _GSLADRe = "GenerateServiceLastAccessedDetailsResponse";
const _GSLADRet = "GetServiceLastAccessedDetailsRequest";
const _GSLADRete = "GetServiceLastAccessedDetailsResponse";
const _GSLADWE = "GetServiceLastAccessedDetailsWithEntities";
const _GSLADWER = "GetServiceLastAccessedDetailsWithEntitiesRequest";
const _GSLADWERe = "GetServiceLastAccessedDetailsWithEntitiesResponse";
const _GSLADe = "GetServiceLastAccessedDetails";
const _GSLRDS = "GetServiceLinkedRoleDeletionStatus";
const _GSLRDSR = "GetServiceLinkedRoleDeletionStatusRequest";
const _GSLRDSRe = "GetServiceLinkedRoleDeletionStatusResponse";
const _GSSHPK = "GetSSHPublicKey";
const _GSSHPKR = "GetSSHPublicKeyRequest";
const _GSSHPKRe = "GetSSHPublicKeyResponse";
const _GT = "GeneratedTime";
const _GU = "GetUser";
const _GUP = "GetUserPolicy";
const _GUPR = "GetUserPolicyRequest";
const _GUPRe = "GetUserPolicyResponse";
const _GUR = "GetUserRequest";
const _GURe = "GetUserResponse";
const _Gr = "Granularity";
const _Gro = "Groups";
const _HE = "HardExpiry";
const _I = "Id";
const _IA = "IsAttachable";
const _IACE = "InvalidAuthenticationCodeException";
const _ICE = "InvalidCertificateException";
const _IDV = "IsDefaultVersion";
const _II = "IssuerIdentifier";
const _IIE = "InvalidInputException";
const _IP = "InstanceProfile";
const _IPI = "InstanceProfileId";
const _IPIT = "InlinePolicyIdentifierType";
const _IPIn = "InlinePolicyIdentifier";
const _IPKE = "InvalidPublicKeyException";
const _IPL = "InstanceProfileList";
const _IPN = "InstanceProfileName";
const _IPT = "InlinePolicyTemplates";
const _IPn = "InlinePolicy";
const _IPns = "InstanceProfiles";
const _IR = "IsRequired";
const _IT = "IsTruncated";
const _IUTE = "InvalidUserTypeException";
const _Im = "Immutable";
const _JCD = "JobCreationDate";
const _JCDo = "JobCompletionDate";
const _JI = "JobId";
const _JS = "JobStatus";
const _JT = "JobType";
const _JVE = "JwtVendingEnabled";
const _K = "Key";
const _KI = "KeyId";
const _KPME = "KeyPairMismatchException";
const _L = "Locale";
const _LA = "LastAuthenticated";
const _LAA = "ListAccountAliases";
const _LAAR = "ListAccountAliasesRequest";
const _LAARi = "ListAccountAliasesResponse";
const _LAE = "LastAuthenticatedEntity";
const _LAEa = "LastAccessedEntity";
const _LAGP = "ListAttachedGroupPolicies";
const _LAGPR = "ListAttachedGroupPoliciesRequest";
const _LAGPRi = "ListAttachedGroupPoliciesResponse";
const _LAK = "ListAccessKeys";
const _LAKR = "ListAccessKeysRequest";
const _LAKRi = "ListAccessKeysResponse";
const _LAR = "LastAuthenticatedRegion";
const _LARP = "ListAttachedRolePolicies";
const _LARPR = "ListAttachedRolePoliciesRequest";
const _LARPRi = "ListAttachedRolePoliciesResponse";
const _LARa = "LastAccessedRegion";
const _LAT = "LastAuthenticatedTime";
const _LATa = "LastAccessedTime";
const _LAUP = "ListAttachedUserPolicies";
const _LAUPR = "ListAttachedUserPoliciesRequest";
const _LAUPRi = "ListAttachedUserPoliciesResponse";
const _LDR = "ListDelegationRequests";
const _LDRR = "ListDelegationRequestsRequest";
const _LDRRi = "ListDelegationRequestsResponse";
const _LEE = "LimitExceededException";
const _LEFP = "ListEntitiesForPolicy";
const _LEFPR = "ListEntitiesForPolicyRequest";
const _LEFPRi = "ListEntitiesForPolicyResponse";
const _LG = "ListGroups";
const _LGFU = "ListGroupsForUser";
const _LGFUR = "ListGroupsForUserRequest";
const _LGFURi = "ListGroupsForUserResponse";
const _LGP = "ListGroupPolicies";
const _LGPR = "ListGroupPoliciesRequest";
const _LGPRi = "ListGroupPoliciesResponse";
const _LGR = "ListGroupsRequest";
const _LGRi = "ListGroupsResponse";
const _LIP = "ListInstanceProfiles";
const _LIPFR = "ListInstanceProfilesForRole";
const _LIPFRR = "ListInstanceProfilesForRoleRequest";
const _LIPFRRi = "ListInstanceProfilesForRoleResponse";
const _LIPR = "ListInstanceProfilesRequest";
const _LIPRi = "ListInstanceProfilesResponse";
const _LIPT = "ListInstanceProfileTags";
const _LIPTR = "ListInstanceProfileTagsRequest";
const _LIPTRi = "ListInstanceProfileTagsResponse";
const _LMFAD = "ListMFADevices";
const _LMFADR = "ListMFADevicesRequest";
const _LMFADRi = "ListMFADevicesResponse";
const _LMFADT = "ListMFADeviceTags";
const _LMFADTR = "ListMFADeviceTagsRequest";
const _LMFADTRi = "ListMFADeviceTagsResponse";
const _LOF = "ListOrganizationsFeatures";
const _LOFR = "ListOrganizationsFeaturesRequest";
const _LOFRi = "ListOrganizationsFeaturesResponse";
const _LOIDCP = "ListOpenIDConnectProviders";
const _LOIDCPR = "ListOpenIDConnectProvidersRequest";
const _LOIDCPRi = "ListOpenIDConnectProvidersResponse";
const _LOIDCPT = "ListOpenIDConnectProviderTags";
const _LOIDCPTR = "ListOpenIDConnectProviderTagsRequest";
const _LOIDCPTRi = "ListOpenIDConnectProviderTagsResponse";
const _LP = "LoginProfile";
const _LPGSA = "ListPoliciesGrantingServiceAccess";
const _LPGSAE = "ListPoliciesGrantingServiceAccessEntry";
const _LPGSAR = "ListPoliciesGrantingServiceAccessRequest";
const _LPGSARi = "ListPoliciesGrantingServiceAccessResponse";
const _LPR = "ListPoliciesRequest";
const _LPRi = "ListPoliciesResponse";
const _LPT = "ListPolicyTags";
const _LPTR = "ListPolicyTagsRequest";
const _LPTRi = "ListPolicyTagsResponse";
const _LPV = "ListPolicyVersions";
const _LPVR = "ListPolicyVersionsRequest";
const _LPVRi = "ListPolicyVersionsResponse";
const _LPi = "ListPolicies";
const _LR = "ListRoles";
const _LRP = "ListRolePolicies";
const _LRPR = "ListRolePoliciesRequest";
const _LRPRi = "ListRolePoliciesResponse";
const _LRR = "ListRolesRequest";
const _LRRi = "ListRolesResponse";
const _LRT = "ListRoleTags";
const _LRTR = "ListRoleTagsRequest";
const _LRTRi = "ListRoleTagsResponse";
const _LSAMLP = "ListSAMLProviders";
const _LSAMLPR = "ListSAMLProvidersRequest";
const _LSAMLPRi = "ListSAMLProvidersResponse";
const _LSAMLPT = "ListSAMLProviderTags";
const _LSAMLPTR = "ListSAMLProviderTagsRequest";
const _LSAMLPTRi = "ListSAMLProviderTagsResponse";
const _LSC = "ListServerCertificates";
const _LSCR = "ListServerCertificatesRequest";
const _LSCRi = "ListServerCertificatesResponse";
const _LSCRis = "ListSigningCertificatesRequest";
const _LSCRist = "ListSigningCertificatesResponse";
const _LSCT = "ListServerCertificateTags";
const _LSCTR = "ListServerCertificateTagsRequest";
const _LSCTRi = "ListServerCertificateTagsResponse";
const _LSCi = "ListSigningCertificates";
const _LSSC = "ListServiceSpecificCredentials";
const _LSSCR = "ListServiceSpecificCredentialsRequest";
const _LSSCRi = "ListServiceSpecificCredentialsResponse";
const _LSSHPK = "ListSSHPublicKeys";
const _LSSHPKR = "ListSSHPublicKeysRequest";
const _LSSHPKRi = "ListSSHPublicKeysResponse";
const _LU = "ListUsers";
const _LUD = "LastUsedDate";
const _LUP = "ListUserPolicies";
const _LUPR = "ListUserPoliciesRequest";
const _LUPRi = "ListUserPoliciesResponse";
const _LUR = "ListUsersRequest";
const _LURi = "ListUsersResponse";
const _LUT = "ListUserTags";
const _LUTR = "ListUserTagsRequest";
const _LUTRi = "ListUserTagsResponse";
const _LVMFAD = "ListVirtualMFADevices";
const _LVMFADR = "ListVirtualMFADevicesRequest";
const _LVMFADRi = "ListVirtualMFADevicesResponse";
const _Li = "Line";
const _M = "Message";
const _MBT = "ManagedByType";
const _MBV = "ManagedByValue";
const _MCE = "MalformedCertificateException";
const _MCV = "MissingContextValues";
const _MFAD = "MFADevices";
const _MFADe = "MFADevice";
const _MI = "MaxItems";
const _MPA = "MaxPasswordAge";
const _MPAa = "ManagedPolicyArns";
const _MPD = "ManagedPolicyDetail";
const _MPDE = "MalformedPolicyDocumentException";
const _MPDLT = "ManagedPolicyDetailListType";
const _MPL = "MinimumPasswordLength";
const _MS = "MatchedStatements";
const _MSD = "MaxSessionDuration";
const _MV = "MinorVersion";
const _MVa = "MajorVersion";
const _Ma = "Marker";
const _N = "Name";
const _NC = "NotificationChannel";
const _NCE = "NameConflictException";
const _NGN = "NewGroupName";
const _NOSA = "NumberOfServicesAccessible";
const _NOSNA = "NumberOfServicesNotAccessed";
const _NP = "NewPassword";
const _NPe = "NewPath";
const _NSCN = "NewServerCertificateName";
const _NSEE = "NoSuchEntityException";
const _NUN = "NewUserName";
const _No = "Notes";
const _OA = "OnlyAttached";
const _OAI = "OwnerAccountId";
const _ODD = "OrganizationsDecisionDetail";
const _OI = "OwnerId";
const _OIDCPA = "OpenIDConnectProviderArn";
const _OIDCPL = "OpenIDConnectProviderList";
const _OIDCPLE = "OpenIDConnectProviderListEntry";
const _OIDCPLT = "OpenIDConnectProviderListType";
const _OIICEE = "OpenIdIdpCommunicationErrorException";
const _OIr = "OrganizationId";
const _ONFE = "OrganizationNotFoundException";
const _ONIAFME = "OrganizationNotInAllFeaturesModeException";
const _OOPIL = "OrderedOrganizationPolicyInputList";
const _OOPT = "OrderedOrganizationPolicyType";
const _OP = "OldPassword";
const _OPI = "OrganizationsPolicyId";
const _OPLT = "OrganizationPolicyListType";
const _OSBO = "OnlySendByOwner";
const _P = "Permissions";
const _PA = "PolicyArn";
const _PAP = "PutAccountProperties";
const _PAPR = "PutAccountPropertiesRequest";
const _PAPRu = "PutAccountPropertiesResponse";
const _PB = "PermissionsBoundary";
const _PBA = "PermissionsBoundaryArn";
const _PBAe = "PermissionBoundaryArn";
const _PBDD = "PermissionsBoundaryDecisionDetail";
const _PBPIL = "PermissionsBoundaryPolicyInputList";
const _PBT = "PermissionsBoundaryType";
const _PBUC = "PermissionsBoundaryUsageCount";
const _PCR = "PermissionCheckResult";
const _PCS = "PermissionCheckStatus";
const _PD = "PolicyDocument";
const _PDa = "ParameterDefinition";
const _PDar = "ParametersDefinition";
const _PDo = "PolicyDetail";
const _PEE = "PolicyEvaluationException";
const _PEL = "PolicyExclusionList";
const _PELT = "PolicyExclusionsListType";
const _PG = "PolicyGroups";
const _PGLT = "PolicyGroupListType";
const _PGP = "PutGroupPolicy";
const _PGPR = "PutGroupPolicyRequest";
const _PGSA = "PoliciesGrantingServiceAccess";
const _PGSAo = "PolicyGrantingServiceAccess";
const _PGo = "PolicyGroup";
const _PI = "PolicyId";
const _PIL = "PolicyInputList";
const _PIo = "PolicyIdentifier";
const _PK = "PrivateKey";
const _PKL = "PrivateKeyList";
const _PLU = "PasswordLastUsed";
const _PN = "PolicyName";
const _PNAE = "PolicyNotAttachableException";
const _PNo = "PolicyNames";
const _PP = "PermissionPolicy";
const _PPVE = "PasswordPolicyViolationException";
const _PPa = "PasswordPolicy";
const _PPat = "PathPrefix";
const _PPo = "PolicyParameter";
const _PR = "PolicyRoles";
const _PRLT = "PolicyRoleListType";
const _PRP = "PasswordReusePrevention";
const _PRPB = "PutRolePermissionsBoundary";
const _PRPBR = "PutRolePermissionsBoundaryRequest";
const _PRPR = "PutRolePolicyRequest";
const _PRPu = "PutRolePolicy";
const _PRR = "PasswordResetRequired";
const _PRo = "PolicyRole";
const _PSA = "PolicySourceArn";
const _PT = "PolicyType";
const _PTA = "PolicyTemplateArn";
const _PU = "PolicyUsers";
const _PUF = "PolicyUsageFilter";
const _PULT = "PolicyUserListType";
const _PUP = "PutUserPolicy";
const _PUPB = "PutUserPermissionsBoundary";
const _PUPBR = "PutUserPermissionsBoundaryRequest";
const _PUPR = "PutUserPolicyRequest";
const _PUo = "PolicyUser";
const _PV = "PolicyVersion";
const _PVL = "PolicyVersionList";
const _Pa = "Path";
const _Par = "Parameters";
const _Pas = "Password";
const _Po = "Policy";
const _Pol = "Policies";
const _Pos = "Position";
const _Pr = "Properties";
const _QRCPNG = "QRCodePNG";
const _R = "Region";
const _RA = "ResourceArns";
const _RCIDFOIDCP = "RemoveClientIDFromOpenIDConnectProvider";
const _RCIDFOIDCPR = "RemoveClientIDFromOpenIDConnectProviderRequest";
const _RD = "RoleDetail";
const _RDL = "RoleDetailList";
const _RDP = "RoleDescriptionPattern";
const _RDR = "RejectDelegationRequest";
const _RDRR = "RejectDelegationRequestRequest";
const _RF = "ReportFormat";
const _RGLEE = "ReportGenerationLimitExceededException";
const _RHO = "ResourceHandlingOption";
const _RI = "RequestorId";
const _RIo = "RoleId";
const _RLC = "RequireLowercaseCharacters";
const _RLU = "RoleLastUsed";
const _RM = "RequestMessage";
const _RME = "RoleModifiedException";
const _RMFAD = "ResyncMFADevice";
const _RMFADR = "ResyncMFADeviceRequest";
const _RN = "RoleName";
const _RNP = "RoleNamePattern";
const _RNe = "RequestorName";
const _RNeq = "RequireNumbers";
const _RO = "ResourceOwner";
const _RP = "ResourcePolicy";
const _RPK = "RemovePrivateKey";
const _RPL = "RolePolicyList";
const _RPP = "RolePathPattern";
const _RPRA = "RolePermissionRestrictionArns";
const _RR = "RejectionReason";
const _RRFIP = "RemoveRoleFromInstanceProfile";
const _RRFIPR = "RemoveRoleFromInstanceProfileRequest";
const _RS = "RequireSymbols";
const _RSR = "ResourceSpecificResults";
const _RSRLT = "ResourceSpecificResultListType";
const _RSRe = "ResourceSpecificResult";
const _RSSC = "ResetServiceSpecificCredential";
const _RSSCR = "ResetServiceSpecificCredentialRequest";
const _RSSCRe = "ResetServiceSpecificCredentialResponse";
const _RTDE = "RoleTemplateDisabledException";
const _RTT = "RoleTagsTemplate";
const _RTV = "RoleTemplateVersion";
const _RU = "RedirectUrl";
const _RUC = "RequireUppercaseCharacters";
const _RUFG = "RemoveUserFromGroup";
const _RUFGR = "RemoveUserFromGroupRequest";
const _RUL = "RoleUsageList";
const _RULT = "RoleUsageListType";
const _RUT = "RoleUsageType";
const _RV = "ReplacementValues";
const _RVE = "ReplacementValueEntry";
const _RWI = "RequestorWorkflowId";
const _Re = "Reason";
const _Res = "Resources";
const _Ro = "Role";
const _Rol = "Roles";
const _S = "Status";
const _SAD = "SetAsDefault";
const _SAK = "SecretAccessKey";
const _SAMLMD = "SAMLMetadataDocument";
const _SAMLPA = "SAMLProviderArn";
const _SAMLPK = "SAMLPrivateKey";
const _SAMLPL = "SAMLProviderList";
const _SAMLPLE = "SAMLProviderListEntry";
const _SAMLPLT = "SAMLProviderListType";
const _SAMLPUUID = "SAMLProviderUUID";
const _SANEE = "ServiceAccessNotEnabledException";
const _SC = "SummaryContent";
const _SCA = "ServiceCredentialAlias";
const _SCI = "ServerCertificateId";
const _SCM = "ServerCertificateMetadata";
const _SCML = "ServerCertificateMetadataList";
const _SCN = "ServerCertificateName";
const _SCP = "SimulateCustomPolicy";
const _SCPIL = "ServiceControlPolicyInputList";
const _SCPR = "SimulateCustomPolicyRequest";
const _SCS = "ServiceCredentialSecret";
const _SCe = "ServerCertificate";
const _SCi = "SigningCertificate";
const _SD = "SessionDuration";
const _SDPV = "SetDefaultPolicyVersion";
const _SDPVR = "SetDefaultPolicyVersionRequest";
const _SDT = "SendDelegationToken";
const _SDTR = "SendDelegationTokenRequest";
const _SFE = "ServiceFailureException";
const _SK = "SortKey";
const _SLA = "ServicesLastAccessed";
const _SLAe = "ServiceLastAccessed";
const _SLT = "StatementListType";
const _SM = "SummaryMap";
const _SN = "ServiceName";
const _SNSE = "ServiceNotSupportedException";
const _SNe = "ServiceNamespace";
const _SNer = "SerialNumber";
const _SNerv = "ServiceNamespaces";
const _SP = "ServicePassword";
const _SPI = "SourcePolicyId";
const _SPP = "SimulatePrincipalPolicy";
const _SPPR = "SimulatePrincipalPolicyRequest";
const _SPR = "SimulatePolicyResponse";
const _SPT = "SourcePolicyType";
const _SPt = "StartPosition";
const _SRT = "SourceRoleTemplate";
const _SS = "SummaryState";
const _SSC = "ServiceSpecificCredential";
const _SSCI = "ServiceSpecificCredentialId";
const _SSCLT = "ServiceSpecificCredentialsListType";
const _SSCM = "ServiceSpecificCredentialMetadata";
const _SSCe = "ServiceSpecificCredentials";
const _SSHPK = "SSHPublicKey";
const _SSHPKB = "SSHPublicKeyBody";
const _SSHPKI = "SSHPublicKeyId";
const _SSHPKLT = "SSHPublicKeyListType";
const _SSHPKM = "SSHPublicKeyMetadata";
const _SSHPKu = "SSHPublicKeys";
const _SSTSP = "SetSecurityTokenServicePreferences";
const _SSTSPR = "SetSecurityTokenServicePreferencesRequest";
const _ST = "SubType";
const _SUN = "ServiceUserName";
const _Sc = "Scope";
const _St = "State";
const _Sta = "Statement";
const _T = "Tags";
const _TA = "TemplateArn";
const _TAE = "TotalAuthenticatedEntities";
const _TALA = "TrackedActionsLastAccessed";
const _TALAr = "TrackedActionLastAccessed";
const _TIP = "TagInstanceProfile";
const _TIPR = "TagInstanceProfileRequest";
const _TK = "TagKeys";
const _TL = "ThumbprintList";
const _TMFAD = "TagMFADevice";
const _TMFADR = "TagMFADeviceRequest";
const _TMV = "TemplateMinorVersion";
const _TN = "TemplateName";
const _TOIDCP = "TagOpenIDConnectProvider";
const _TOIDCPR = "TagOpenIDConnectProviderRequest";
const _TP = "TagPolicy";
const _TPR = "TagPolicyRequest";
const _TR = "TagRole";
const _TRR = "TagRoleRequest";
const _TSAMLP = "TagSAMLProvider";
const _TSAMLPR = "TagSAMLProviderRequest";
const _TSC = "TagServerCertificate";
const _TSCR = "TagServerCertificateRequest";
const _TT = "TagTemplate";
const _TU = "TagUser";
const _TUR = "TagUserRequest";
const _TVI = "TemplateVersionId";
const _Ta = "Tag";
const _Ti = "Timestamp";
const _Ty = "Type";
const _U = "Url";
const _UAK = "UpdateAccessKey";
const _UAKR = "UpdateAccessKeyRequest";
const _UAPP = "UpdateAccountPasswordPolicy";
const _UAPPR = "UpdateAccountPasswordPolicyRequest";
const _UARP = "UpdateAssumeRolePolicy";
const _UARPR = "UpdateAssumeRolePolicyRequest";
const _UD = "UpdateDate";
const _UDL = "UserDetailList";
const _UDR = "UpdateDelegationRequest";
const _UDRR = "UpdateDelegationRequestRequest";
const _UDp = "UploadDate";
const _UDs = "UserDetail";
const _UEE = "UnmodifiableEntityException";
const _UG = "UpdateGroup";
const _UGR = "UpdateGroupRequest";
const _UI = "UserId";
const _UIP = "UntagInstanceProfile";
const _UIPR = "UntagInstanceProfileRequest";
const _ULP = "UpdateLoginProfile";
const _ULPR = "UpdateLoginProfileRequest";
const _UMFAD = "UntagMFADevice";
const _UMFADR = "UntagMFADeviceRequest";
const _UN = "UserName";
const _UOIDCP = "UntagOpenIDConnectProvider";
const _UOIDCPR = "UntagOpenIDConnectProviderRequest";
const _UOIDCPT = "UpdateOpenIDConnectProviderThumbprint";
const _UOIDCPTR = "UpdateOpenIDConnectProviderThumbprintRequest";
const _UP = "UntagPolicy";
const _UPKEE = "UnrecognizedPublicKeyEncodingException";
const _UPL = "UserPolicyList";
const _UPR = "UntagPolicyRequest";
const _UR = "UntagRole";
const _URD = "UpdateRoleDescription";
const _URDR = "UpdateRoleDescriptionRequest";
const _URDRp = "UpdateRoleDescriptionResponse";
const _URR = "UntagRoleRequest";
const _URRp = "UpdateRoleRequest";
const _URRpd = "UpdateRoleResponse";
const _URp = "UpdateRole";
const _USAMLP = "UntagSAMLProvider";
const _USAMLPR = "UntagSAMLProviderRequest";
const _USAMLPRp = "UpdateSAMLProviderRequest";
const _USAMLPRpd = "UpdateSAMLProviderResponse";
const _USAMLPp = "UpdateSAMLProvider";
const _USC = "UntagServerCertificate";
const _USCR = "UntagServerCertificateRequest";
const _USCRp = "UpdateServerCertificateRequest";
const _USCRpd = "UpdateSigningCertificateRequest";
const _USCRpl = "UploadServerCertificateRequest";
const _USCRplo = "UploadServerCertificateResponse";
const _USCRploa = "UploadSigningCertificateRequest";
const _USCRpload = "UploadSigningCertificateResponse";
const _USCp = "UpdateServerCertificate";
const _USCpd = "UpdateSigningCertificate";
const _USCpl = "UploadServerCertificate";
const _USCplo = "UploadSigningCertificate";
const _USSC = "UpdateServiceSpecificCredential";
const _USSCR = "UpdateServiceSpecificCredentialRequest";
const _USSHPK = "UpdateSSHPublicKey";
const _USSHPKR = "UpdateSSHPublicKeyRequest";
const _USSHPKRp = "UploadSSHPublicKeyRequest";
const _USSHPKRpl = "UploadSSHPublicKeyResponse";
const _USSHPKp = "UploadSSHPublicKey";
const _UT = "UpdatedTime";
const _UTp = "UpdateTimestamp";
const _UU = "UntagUser";
const _UUR = "UntagUserRequest";
const _UURp = "UpdateUserRequest";
const _UUp = "UpdateUser";
const _Us = "User";
const _Use = "Users";
const _V = "Versions";
const _VE = "VersionEnabled";
const _VI = "VersionId";
const _VMFAD = "VirtualMFADevice";
const _VMFADN = "VirtualMFADeviceName";
const _VMFADi = "VirtualMFADevices";
const _VU = "ValidUntil";
const _Va = "Values";
const _Val = "Value";
const _aKMLT = "accessKeyMetadataListType";
const _aKST = "accessKeySecretType";
const _aPLT = "attachedPoliciesListType";
const _aQE = "awsQueryError";
const _c = "client";
const _cLT = "certificateListType";
const _dRLT = "delegationRequestsListType";
const _e = "error";
const _eDLT = "entityDetailsListType";
const _gDLT = "groupDetailListType";
const _gLT = "groupListType";
const _hE = "httpError";
const _iPLT = "instanceProfileListType";
const _iPTLT = "inlinePolicyTemplateListType";
const _iT = "isTruncated";
const _lPGSARLT = "listPolicyGrantingServiceAccessResponseListType";
const _m = "message";
const _mDLT = "mfaDeviceListType";
const _mSRVE = "mapStringReplacementValueEntry";
const _pDLT = "parametersDefinitionListType";
const _pDLTo = "policyDetailListType";
const _pDVLT = "policyDocumentVersionListType";
const _pGSALT = "policyGrantingServiceAccessListType";
const _pKL = "privateKeyList";
const _pKT = "privateKeyType";
const _pLT = "policyListType";
const _pPLT = "policyParameterListType";
const _pT = "passwordType";
const _rDLT = "roleDetailListType";
const _rLT = "roleListType";
const _s = "smithy.ts.sdk.synthetic.com.amazonaws.iam";
const _sCMLT = "serverCertificateMetadataListType";
const _sCS = "serviceCredentialSecret";
const _sP = "servicePassword";
const _se = "server";
const _tLT = "tagListType";
const _tTLT = "tagTemplateListType";
const _uDLT = "userDetailListType";
const _uLT = "userListType";
const _vMFADLT = "virtualMFADeviceListType";
const n0 = "com.amazonaws.iam";
const _s_registry = new TypeRegistry(_s);
var IAMServiceException$ = [-3, _s, "IAMServiceException", 0, [], []];
_s_registry.registerError(IAMServiceException$, IAMServiceException);
const n0_registry = new TypeRegistry(n0);
var AccountNotManagementOrDelegatedAdministratorException$ = [-3, n0, _ANMODAE,
    { [_e]: _c, [_hE]: 400 },
    [_M],
    [0]
];
n0_registry.registerError(AccountNotManagementOrDelegatedAdministratorException$, AccountNotManagementOrDelegatedAdministratorException);
var CallerIsNotManagementAccountException$ = [-3, n0, _CINMAE,
    { [_e]: _c, [_hE]: 400 },
    [_M],
    [0]
];
n0_registry.registerError(CallerIsNotManagementAccountException$, CallerIsNotManagementAccountException);
var ConcurrentModificationException$ = [-3, n0, _CME,
    { [_aQE]: [`ConcurrentModification`, 409], [_e]: _c, [_hE]: 409 },
    [_m],
    [0]
];
n0_registry.registerError(ConcurrentModificationException$, ConcurrentModificationException);
var CredentialReportExpiredException$ = [-3, n0, _CREE,
    { [_aQE]: [`ReportExpired`, 410], [_e]: _c, [_hE]: 410 },
    [_m],
    [0]
];
n0_registry.registerError(CredentialReportExpiredException$, CredentialReportExpiredException);
var CredentialReportNotPresentException$ = [-3, n0, _CRNPE,
    { [_aQE]: [`ReportNotPresent`, 410], [_e]: _c, [_hE]: 410 },
    [_m],
    [0]
];
n0_registry.registerError(CredentialReportNotPresentException$, CredentialReportNotPresentException);
var CredentialReportNotReadyException$ = [-3, n0, _CRNRE,
    { [_aQE]: [`ReportInProgress`, 404], [_e]: _c, [_hE]: 404 },
    [_m],
    [0]
];
n0_registry.registerError(CredentialReportNotReadyException$, CredentialReportNotReadyException);
var DeleteConflictException$ = [-3, n0, _DCE,
    { [_aQE]: [`DeleteConflict`, 409], [_e]: _c, [_hE]: 409 },
    [_m],
    [0]
];
n0_registry.registerError(DeleteConflictException$, DeleteConflictException);
var DuplicateCertificateException$ = [-3, n0, _DCEu,
    { [_aQE]: [`DuplicateCertificate`, 409], [_e]: _c, [_hE]: 409 },
    [_m],
    [0]
];
n0_registry.registerError(DuplicateCertificateException$, DuplicateCertificateException);
var DuplicateSSHPublicKeyException$ = [-3, n0, _DSSHPKE,
    { [_aQE]: [`DuplicateSSHPublicKey`, 400], [_e]: _c, [_hE]: 400 },
    [_m],
    [0]
];
n0_registry.registerError(DuplicateSSHPublicKeyException$, DuplicateSSHPublicKeyException);
var EntityAlreadyExistsException$ = [-3, n0, _EAEE,
    { [_aQE]: [`EntityAlreadyExists`, 409], [_e]: _c, [_hE]: 409 },
    [_m],
    [0]
];
n0_registry.registerError(EntityAlreadyExistsException$, EntityAlreadyExistsException);
var EntityTemporarilyUnmodifiableException$ = [-3, n0, _ETUE,
    { [_aQE]: [`EntityTemporarilyUnmodifiable`, 409], [_e]: _c, [_hE]: 409 },
    [_m],
    [0]
];
n0_registry.registerError(EntityTemporarilyUnmodifiableException$, EntityTemporarilyUnmodifiableException);
var FeatureDisabledException$ = [-3, n0, _FDE,
    { [_aQE]: [`FeatureDisabled`, 404], [_e]: _c, [_hE]: 404 },
    [_m],
    [0]
];
n0_registry.registerError(FeatureDisabledException$, FeatureDisabledException);
var FeatureEnabledException$ = [-3, n0, _FEE,
    { [_aQE]: [`FeatureEnabled`, 409], [_e]: _c, [_hE]: 409 },
    [_m],
    [0]
];
n0_registry.registerError(FeatureEnabledException$, FeatureEnabledException);
var InvalidAuthenticationCodeException$ = [-3, n0, _IACE,
    { [_aQE]: [`InvalidAuthenticationCode`, 403], [_e]: _c, [_hE]: 403 },
    [_m],
    [0]
];
n0_registry.registerError(InvalidAuthenticationCodeException$, InvalidAuthenticationCodeException);
var InvalidCertificateException$ = [-3, n0, _ICE,
    { [_aQE]: [`InvalidCertificate`, 400], [_e]: _c, [_hE]: 400 },
    [_m],
    [0]
];
n0_registry.registerError(InvalidCertificateException$, InvalidCertificateException);
var InvalidInputException$ = [-3, n0, _IIE,
    { [_aQE]: [`InvalidInput`, 400], [_e]: _c, [_hE]: 400 },
    [_m],
    [0]
];
n0_registry.registerError(InvalidInputException$, InvalidInputException);
var InvalidPublicKeyException$ = [-3, n0, _IPKE,
    { [_aQE]: [`InvalidPublicKey`, 400], [_e]: _c, [_hE]: 400 },
    [_m],
    [0]
];
n0_registry.registerError(InvalidPublicKeyException$, InvalidPublicKeyException);
var InvalidUserTypeException$ = [-3, n0, _IUTE,
    { [_aQE]: [`InvalidUserType`, 400], [_e]: _c, [_hE]: 400 },
    [_m],
    [0]
];
n0_registry.registerError(InvalidUserTypeException$, InvalidUserTypeException);
var KeyPairMismatchException$ = [-3, n0, _KPME,
    { [_aQE]: [`KeyPairMismatch`, 400], [_e]: _c, [_hE]: 400 },
    [_m],
    [0]
];
n0_registry.registerError(KeyPairMismatchException$, KeyPairMismatchException);
var LimitExceededException$ = [-3, n0, _LEE,
    { [_aQE]: [`LimitExceeded`, 409], [_e]: _c, [_hE]: 409 },
    [_m],
    [0]
];
n0_registry.registerError(LimitExceededException$, LimitExceededException);
var MalformedCertificateException$ = [-3, n0, _MCE,
    { [_aQE]: [`MalformedCertificate`, 400], [_e]: _c, [_hE]: 400 },
    [_m],
    [0]
];
n0_registry.registerError(MalformedCertificateException$, MalformedCertificateException);
var MalformedPolicyDocumentException$ = [-3, n0, _MPDE,
    { [_aQE]: [`MalformedPolicyDocument`, 400], [_e]: _c, [_hE]: 400 },
    [_m],
    [0]
];
n0_registry.registerError(MalformedPolicyDocumentException$, MalformedPolicyDocumentException);
var NameConflictException$ = [-3, n0, _NCE,
    { [_aQE]: [`NameConflict`, 409], [_e]: _c, [_hE]: 409 },
    [_m],
    [0]
];
n0_registry.registerError(NameConflictException$, NameConflictException);
var NoSuchEntityException$ = [-3, n0, _NSEE,
    { [_aQE]: [`NoSuchEntity`, 404], [_e]: _c, [_hE]: 404 },
    [_m],
    [0]
];
n0_registry.registerError(NoSuchEntityException$, NoSuchEntityException);
var OpenIdIdpCommunicationErrorException$ = [-3, n0, _OIICEE,
    { [_aQE]: [`OpenIdIdpCommunicationError`, 400], [_e]: _c, [_hE]: 400 },
    [_m],
    [0]
];
n0_registry.registerError(OpenIdIdpCommunicationErrorException$, OpenIdIdpCommunicationErrorException);
var OrganizationNotFoundException$ = [-3, n0, _ONFE,
    { [_e]: _c, [_hE]: 400 },
    [_M],
    [0]
];
n0_registry.registerError(OrganizationNotFoundException$, OrganizationNotFoundException);
var OrganizationNotInAllFeaturesModeException$ = [-3, n0, _ONIAFME,
    { [_e]: _c, [_hE]: 400 },
    [_M],
    [0]
];
n0_registry.registerError(OrganizationNotInAllFeaturesModeException$, OrganizationNotInAllFeaturesModeException);
var PasswordPolicyViolationException$ = [-3, n0, _PPVE,
    { [_aQE]: [`PasswordPolicyViolation`, 400], [_e]: _c, [_hE]: 400 },
    [_m],
    [0]
];
n0_registry.registerError(PasswordPolicyViolationException$, PasswordPolicyViolationException);
var PolicyEvaluationException$ = [-3, n0, _PEE,
    { [_aQE]: [`PolicyEvaluation`, 500], [_e]: _se, [_hE]: 500 },
    [_m],
    [0]
];
n0_registry.registerError(PolicyEvaluationException$, PolicyEvaluationException);
var PolicyNotAttachableException$ = [-3, n0, _PNAE,
    { [_aQE]: [`PolicyNotAttachable`, 400], [_e]: _c, [_hE]: 400 },
    [_m],
    [0]
];
n0_registry.registerError(PolicyNotAttachableException$, PolicyNotAttachableException);
var ReportGenerationLimitExceededException$ = [-3, n0, _RGLEE,
    { [_aQE]: [`ReportGenerationLimitExceeded`, 409], [_e]: _c, [_hE]: 409 },
    [_m],
    [0]
];
n0_registry.registerError(ReportGenerationLimitExceededException$, ReportGenerationLimitExceededException);
var RoleModifiedException$ = [-3, n0, _RME,
    { [_aQE]: [`RoleModified`, 409], [_e]: _c, [_hE]: 409 },
    [_m],
    [0]
];
n0_registry.registerError(RoleModifiedException$, RoleModifiedException);
var RoleTemplateDisabledException$ = [-3, n0, _RTDE,
    { [_aQE]: [`RoleTemplateDisabled`, 400], [_e]: _c, [_hE]: 400 },
    [_m],
    [0]
];
n0_registry.registerError(RoleTemplateDisabledException$, RoleTemplateDisabledException);
var ServiceAccessNotEnabledException$ = [-3, n0, _SANEE,
    { [_e]: _c, [_hE]: 400 },
    [_M],
    [0]
];
n0_registry.registerError(ServiceAccessNotEnabledException$, ServiceAccessNotEnabledException);
var ServiceFailureException$ = [-3, n0, _SFE,
    { [_aQE]: [`ServiceFailure`, 500], [_e]: _se, [_hE]: 500 },
    [_m],
    [0]
];
n0_registry.registerError(ServiceFailureException$, ServiceFailureException);
var ServiceNotSupportedException$ = [-3, n0, _SNSE,
    { [_aQE]: [`NotSupportedService`, 404], [_e]: _c, [_hE]: 404 },
    [_m],
    [0]
];
n0_registry.registerError(ServiceNotSupportedException$, ServiceNotSupportedException);
var UnmodifiableEntityException$ = [-3, n0, _UEE,
    { [_aQE]: [`UnmodifiableEntity`, 400], [_e]: _c, [_hE]: 400 },
    [_m],
    [0]
];
n0_registry.registerError(UnmodifiableEntityException$, UnmodifiableEntityException);
var UnrecognizedPublicKeyEncodingException$ = [-3, n0, _UPKEE,
    { [_aQE]: [`UnrecognizedPublicKeyEncoding`, 400], [_e]: _c, [_hE]: 400 },
    [_m],
    [0]
];
n0_registry.registerError(UnrecognizedPublicKeyEncodingException$, UnrecognizedPublicKeyEncodingException);
const errorTypeRegistries = [
    _s_registry,
    n0_registry,
];
var accessKeySecretType = [0, n0, _aKST, 8, 0];
var BootstrapDatum = [0, n0, _BD, 8, 21];
var passwordType = [0, n0, _pT, 8, 0];
var privateKeyType = [0, n0, _pKT, 8, 0];
var serviceCredentialSecret = [0, n0, _sCS, 8, 0];
var servicePassword = [0, n0, _sP, 8, 0];
var AcceptDelegationRequestRequest$ = [3, n0, _ADRR,
    0,
    [_DRI],
    [0], 1
];
var AccessDetail$ = [3, n0, _AD,
    0,
    [_SN, _SNe, _R, _EP, _LAT, _TAE],
    [0, 0, 0, 0, 4, 1], 2
];
var AccessKey$ = [3, n0, _AK,
    0,
    [_UN, _AKI, _S, _SAK, _CD],
    [0, 0, 0, [() => accessKeySecretType, 0], 4], 4
];
var AccessKeyLastUsed$ = [3, n0, _AKLU,
    0,
    [_SN, _R, _LUD],
    [0, 0, 4], 2
];
var AccessKeyMetadata$ = [3, n0, _AKM,
    0,
    [_UN, _AKI, _S, _CD],
    [0, 0, 0, 4]
];
var AcquireRoleRequest$ = [3, n0, _ARR,
    0,
    [_TA, _TMV, _RV],
    [0, 1, () => mapStringReplacementValueEntry], 1
];
var AcquireRoleResponse$ = [3, n0, _ARRc,
    0,
    [_Ro],
    [() => Role$], 1
];
var AddClientIDToOpenIDConnectProviderRequest$ = [3, n0, _ACIDTOIDCPR,
    0,
    [_OIDCPA, _CID],
    [0, 0], 2
];
var AddRoleToInstanceProfileRequest$ = [3, n0, _ARTIPR,
    0,
    [_IPN, _RN],
    [0, 0], 2
];
var AddUserToGroupRequest$ = [3, n0, _AUTGR,
    0,
    [_GN, _UN],
    [0, 0], 2
];
var AssociateDelegationRequestRequest$ = [3, n0, _ADRRs,
    0,
    [_DRI],
    [0], 1
];
var AttachedPermissionsBoundary$ = [3, n0, _APB,
    0,
    [_PBT, _PBA],
    [0, 0]
];
var AttachedPolicy$ = [3, n0, _AP,
    0,
    [_PN, _PA],
    [0, 0]
];
var AttachGroupPolicyRequest$ = [3, n0, _AGPR,
    0,
    [_GN, _PA],
    [0, 0], 2
];
var AttachRolePolicyRequest$ = [3, n0, _ARPR,
    0,
    [_RN, _PA],
    [0, 0], 2
];
var AttachUserPolicyRequest$ = [3, n0, _AUPR,
    0,
    [_UN, _PA],
    [0, 0], 2
];
var ChangePasswordRequest$ = [3, n0, _CPR,
    0,
    [_OP, _NP],
    [[() => passwordType, 0], [() => passwordType, 0]], 2
];
var ContextEntry$ = [3, n0, _CE,
    0,
    [_CKN, _CKV, _CKT],
    [0, 64 | 0, 0]
];
var CreateAccessKeyRequest$ = [3, n0, _CAKR,
    0,
    [_UN],
    [0]
];
var CreateAccessKeyResponse$ = [3, n0, _CAKRr,
    0,
    [_AK],
    [[() => AccessKey$, 0]], 1
];
var CreateAccountAliasRequest$ = [3, n0, _CAAR,
    0,
    [_AA],
    [0], 1
];
var CreateDelegationRequestRequest$ = [3, n0, _CDRR,
    0,
    [_D, _P, _RWI, _NC, _SD, _OAI, _RM, _RU, _OSBO],
    [0, () => DelegationPermission$, 0, 0, 1, 0, 0, 0, 2], 5
];
var CreateDelegationRequestResponse$ = [3, n0, _CDRRr,
    0,
    [_CDL, _DRI],
    [0, 0]
];
var CreateGroupRequest$ = [3, n0, _CGR,
    0,
    [_GN, _Pa],
    [0, 0], 1
];
var CreateGroupResponse$ = [3, n0, _CGRr,
    0,
    [_G],
    [() => Group$], 1
];
var CreateInstanceProfileRequest$ = [3, n0, _CIPR,
    0,
    [_IPN, _Pa, _T],
    [0, 0, () => tagListType], 1
];
var CreateInstanceProfileResponse$ = [3, n0, _CIPRr,
    0,
    [_IP],
    [() => InstanceProfile$], 1
];
var CreateLoginProfileRequest$ = [3, n0, _CLPR,
    0,
    [_UN, _Pas, _PRR],
    [0, [() => passwordType, 0], 2]
];
var CreateLoginProfileResponse$ = [3, n0, _CLPRr,
    0,
    [_LP],
    [() => LoginProfile$], 1
];
var CreateOpenIDConnectProviderRequest$ = [3, n0, _COIDCPR,
    0,
    [_U, _CIDL, _TL, _T],
    [0, 64 | 0, 64 | 0, () => tagListType], 1
];
var CreateOpenIDConnectProviderResponse$ = [3, n0, _COIDCPRr,
    0,
    [_OIDCPA, _T],
    [0, () => tagListType]
];
var CreatePolicyRequest$ = [3, n0, _CPRr,
    0,
    [_PN, _PD, _Pa, _D, _T],
    [0, 0, 0, 0, () => tagListType], 2
];
var CreatePolicyResponse$ = [3, n0, _CPRre,
    0,
    [_Po],
    [() => Policy$]
];
var CreatePolicyVersionRequest$ = [3, n0, _CPVR,
    0,
    [_PA, _PD, _SAD],
    [0, 0, 2], 2
];
var CreatePolicyVersionResponse$ = [3, n0, _CPVRr,
    0,
    [_PV],
    [() => PolicyVersion$]
];
var CreateRoleRequest$ = [3, n0, _CRR,
    0,
    [_RN, _ARPD, _Pa, _D, _MSD, _PB, _T],
    [0, 0, 0, 0, 1, 0, () => tagListType], 2
];
var CreateRoleResponse$ = [3, n0, _CRRr,
    0,
    [_Ro],
    [() => Role$], 1
];
var CreateSAMLProviderRequest$ = [3, n0, _CSAMLPR,
    0,
    [_SAMLMD, _N, _T, _AEM, _APK],
    [0, 0, () => tagListType, 0, [() => privateKeyType, 0]], 2
];
var CreateSAMLProviderResponse$ = [3, n0, _CSAMLPRr,
    0,
    [_SAMLPA, _T],
    [0, () => tagListType]
];
var CreateServiceLinkedRoleRequest$ = [3, n0, _CSLRR,
    0,
    [_AWSSN, _D, _CS],
    [0, 0, 0], 1
];
var CreateServiceLinkedRoleResponse$ = [3, n0, _CSLRRr,
    0,
    [_Ro],
    [() => Role$]
];
var CreateServiceSpecificCredentialRequest$ = [3, n0, _CSSCR,
    0,
    [_UN, _SN, _CAD],
    [0, 0, 1], 2
];
var CreateServiceSpecificCredentialResponse$ = [3, n0, _CSSCRr,
    0,
    [_SSC],
    [[() => ServiceSpecificCredential$, 0]]
];
var CreateUserRequest$ = [3, n0, _CUR,
    0,
    [_UN, _Pa, _PB, _T],
    [0, 0, 0, () => tagListType], 1
];
var CreateUserResponse$ = [3, n0, _CURr,
    0,
    [_Us],
    [() => User$]
];
var CreateVirtualMFADeviceRequest$ = [3, n0, _CVMFADR,
    0,
    [_VMFADN, _Pa, _T],
    [0, 0, () => tagListType], 1
];
var CreateVirtualMFADeviceResponse$ = [3, n0, _CVMFADRr,
    0,
    [_VMFAD],
    [[() => VirtualMFADevice$, 0]], 1
];
var DeactivateMFADeviceRequest$ = [3, n0, _DMFADR,
    0,
    [_SNer, _UN],
    [0, 0], 1
];
var DelegationPermission$ = [3, n0, _DP,
    0,
    [_PTA, _Par],
    [0, () => policyParameterListType]
];
var DelegationRequest$ = [3, n0, _DR,
    0,
    [_DRI, _OAI, _D, _RM, _P, _PP, _RPRA, _OI, _AI, _St, _ET, _RI, _RNe, _CD, _SD, _RU, _No, _RR, _OSBO, _UT],
    [0, 0, 0, 0, () => DelegationPermission$, 0, 64 | 0, 0, 0, 0, 4, 0, 0, 4, 1, 0, 0, 0, 2, 4]
];
var DeleteAccessKeyRequest$ = [3, n0, _DAKR,
    0,
    [_AKI, _UN],
    [0, 0], 1
];
var DeleteAccountAliasRequest$ = [3, n0, _DAAR,
    0,
    [_AA],
    [0], 1
];
var DeleteGroupPolicyRequest$ = [3, n0, _DGPR,
    0,
    [_GN, _PN],
    [0, 0], 2
];
var DeleteGroupRequest$ = [3, n0, _DGR,
    0,
    [_GN],
    [0], 1
];
var DeleteInstanceProfileRequest$ = [3, n0, _DIPR,
    0,
    [_IPN],
    [0], 1
];
var DeleteLoginProfileRequest$ = [3, n0, _DLPR,
    0,
    [_UN],
    [0]
];
var DeleteOpenIDConnectProviderRequest$ = [3, n0, _DOIDCPR,
    0,
    [_OIDCPA],
    [0], 1
];
var DeletePolicyRequest$ = [3, n0, _DPR,
    0,
    [_PA],
    [0], 1
];
var DeletePolicyVersionRequest$ = [3, n0, _DPVR,
    0,
    [_PA, _VI],
    [0, 0], 2
];
var DeleteRolePermissionsBoundaryRequest$ = [3, n0, _DRPBR,
    0,
    [_RN],
    [0], 1
];
var DeleteRolePolicyRequest$ = [3, n0, _DRPR,
    0,
    [_RN, _PN],
    [0, 0], 2
];
var DeleteRoleRequest$ = [3, n0, _DRR,
    0,
    [_RN],
    [0], 1
];
var DeleteSAMLProviderRequest$ = [3, n0, _DSAMLPR,
    0,
    [_SAMLPA],
    [0], 1
];
var DeleteServerCertificateRequest$ = [3, n0, _DSCR,
    0,
    [_SCN],
    [0], 1
];
var DeleteServiceLinkedRoleRequest$ = [3, n0, _DSLRR,
    0,
    [_RN],
    [0], 1
];
var DeleteServiceLinkedRoleResponse$ = [3, n0, _DSLRRe,
    0,
    [_DTI],
    [0], 1
];
var DeleteServiceSpecificCredentialRequest$ = [3, n0, _DSSCR,
    0,
    [_SSCI, _UN],
    [0, 0], 1
];
var DeleteSigningCertificateRequest$ = [3, n0, _DSCRe,
    0,
    [_CI, _UN],
    [0, 0], 1
];
var DeleteSSHPublicKeyRequest$ = [3, n0, _DSSHPKR,
    0,
    [_UN, _SSHPKI],
    [0, 0], 2
];
var DeleteUserPermissionsBoundaryRequest$ = [3, n0, _DUPBR,
    0,
    [_UN],
    [0], 1
];
var DeleteUserPolicyRequest$ = [3, n0, _DUPR,
    0,
    [_UN, _PN],
    [0, 0], 2
];
var DeleteUserRequest$ = [3, n0, _DUR,
    0,
    [_UN],
    [0], 1
];
var DeleteVirtualMFADeviceRequest$ = [3, n0, _DVMFADR,
    0,
    [_SNer],
    [0], 1
];
var DeletionTaskFailureReasonType$ = [3, n0, _DTFRT,
    0,
    [_Re, _RUL],
    [0, () => RoleUsageListType]
];
var DetachGroupPolicyRequest$ = [3, n0, _DGPRe,
    0,
    [_GN, _PA],
    [0, 0], 2
];
var DetachRolePolicyRequest$ = [3, n0, _DRPRe,
    0,
    [_RN, _PA],
    [0, 0], 2
];
var DetachUserPolicyRequest$ = [3, n0, _DUPRe,
    0,
    [_UN, _PA],
    [0, 0], 2
];
var DisableOrganizationsRootCredentialsManagementRequest$ = [3, n0, _DORCMR,
    0,
    [],
    []
];
var DisableOrganizationsRootCredentialsManagementResponse$ = [3, n0, _DORCMRi,
    0,
    [_OIr, _EF],
    [0, 64 | 0]
];
var DisableOrganizationsRootSessionsRequest$ = [3, n0, _DORSR,
    0,
    [],
    []
];
var DisableOrganizationsRootSessionsResponse$ = [3, n0, _DORSRi,
    0,
    [_OIr, _EF],
    [0, 64 | 0]
];
var EnableMFADeviceRequest$ = [3, n0, _EMFADR,
    0,
    [_UN, _SNer, _AC, _ACu],
    [0, 0, 0, 0], 4
];
var EnableOrganizationsRootCredentialsManagementRequest$ = [3, n0, _EORCMR,
    0,
    [],
    []
];
var EnableOrganizationsRootCredentialsManagementResponse$ = [3, n0, _EORCMRn,
    0,
    [_OIr, _EF],
    [0, 64 | 0]
];
var EnableOrganizationsRootSessionsRequest$ = [3, n0, _EORSR,
    0,
    [],
    []
];
var EnableOrganizationsRootSessionsResponse$ = [3, n0, _EORSRn,
    0,
    [_OIr, _EF],
    [0, 64 | 0]
];
var EnableOutboundWebIdentityFederationResponse$ = [3, n0, _EOWIFR,
    0,
    [_II],
    [0]
];
var EntityDetails$ = [3, n0, _ED,
    0,
    [_EI, _LA],
    [() => EntityInfo$, 4], 1
];
var EntityInfo$ = [3, n0, _EI,
    0,
    [_A, _N, _Ty, _I, _Pa],
    [0, 0, 0, 0, 0], 4
];
var ErrorDetails$ = [3, n0, _EDr,
    0,
    [_M, _C],
    [0, 0], 2
];
var EvaluationResult$ = [3, n0, _ER,
    0,
    [_EAN, _EDv, _ERN, _MS, _MCV, _ODD, _PBDD, _EDD, _RSR],
    [0, 0, 0, () => StatementListType, 64 | 0, () => OrganizationsDecisionDetail$, () => PermissionsBoundaryDecisionDetail$, 128 | 0, () => ResourceSpecificResultListType], 2
];
var GenerateCredentialReportResponse$ = [3, n0, _GCRR,
    0,
    [_St, _D],
    [0, 0]
];
var GenerateOrganizationsAccessReportRequest$ = [3, n0, _GOARR,
    0,
    [_EP, _OPI],
    [0, 0], 1
];
var GenerateOrganizationsAccessReportResponse$ = [3, n0, _GOARRe,
    0,
    [_JI],
    [0]
];
var GenerateServiceLastAccessedDetailsRequest$ = [3, n0, _GSLADR,
    0,
    [_A, _Gr],
    [0, 0], 1
];
var GenerateServiceLastAccessedDetailsResponse$ = [3, n0, _GSLADRe,
    0,
    [_JI],
    [0]
];
var GetAccessKeyLastUsedRequest$ = [3, n0, _GAKLUR,
    0,
    [_AKI],
    [0], 1
];
var GetAccessKeyLastUsedResponse$ = [3, n0, _GAKLURe,
    0,
    [_UN, _AKLU],
    [0, () => AccessKeyLastUsed$]
];
var GetAccountAuthorizationDetailsRequest$ = [3, n0, _GAADR,
    0,
    [_F, _MI, _Ma],
    [64 | 0, 1, 0]
];
var GetAccountAuthorizationDetailsResponse$ = [3, n0, _GAADRe,
    0,
    [_UDL, _GDL, _RDL, _Pol, _IT, _Ma],
    [() => userDetailListType, () => groupDetailListType, () => roleDetailListType, () => ManagedPolicyDetailListType, 2, 0]
];
var GetAccountPasswordPolicyResponse$ = [3, n0, _GAPPR,
    0,
    [_PPa],
    [() => PasswordPolicy$], 1
];
var GetAccountPropertiesRequest$ = [3, n0, _GAPR,
    0,
    [],
    []
];
var GetAccountPropertiesResponse$ = [3, n0, _GAPRe,
    0,
    [_Pr],
    [128 | 0]
];
var GetAccountSummaryResponse$ = [3, n0, _GASR,
    0,
    [_SM],
    [128 | 1]
];
var GetContextKeysForCustomPolicyRequest$ = [3, n0, _GCKFCPR,
    0,
    [_PIL],
    [64 | 0], 1
];
var GetContextKeysForPolicyResponse$ = [3, n0, _GCKFPR,
    0,
    [_CKNo],
    [64 | 0]
];
var GetContextKeysForPrincipalPolicyRequest$ = [3, n0, _GCKFPPR,
    0,
    [_PSA, _PIL],
    [0, 64 | 0], 1
];
var GetCredentialReportResponse$ = [3, n0, _GCRRe,
    0,
    [_Co, _RF, _GT],
    [21, 0, 4]
];
var GetDelegationRequestRequest$ = [3, n0, _GDRR,
    0,
    [_DRI, _DPC],
    [0, 2], 1
];
var GetDelegationRequestResponse$ = [3, n0, _GDRRe,
    0,
    [_DR, _PCS, _PCR],
    [() => DelegationRequest$, 0, 0]
];
var GetGroupPolicyRequest$ = [3, n0, _GGPR,
    0,
    [_GN, _PN],
    [0, 0], 2
];
var GetGroupPolicyResponse$ = [3, n0, _GGPRe,
    0,
    [_GN, _PN, _PD],
    [0, 0, 0], 3
];
var GetGroupRequest$ = [3, n0, _GGR,
    0,
    [_GN, _Ma, _MI],
    [0, 0, 1], 1
];
var GetGroupResponse$ = [3, n0, _GGRe,
    0,
    [_G, _Use, _IT, _Ma],
    [() => Group$, () => userListType, 2, 0], 2
];
var GetHumanReadableSummaryRequest$ = [3, n0, _GHRSR,
    0,
    [_EA, _L],
    [0, 0], 1
];
var GetHumanReadableSummaryResponse$ = [3, n0, _GHRSRe,
    0,
    [_SC, _L, _SS],
    [0, 0, 0]
];
var GetInstanceProfileRequest$ = [3, n0, _GIPR,
    0,
    [_IPN],
    [0], 1
];
var GetInstanceProfileResponse$ = [3, n0, _GIPRe,
    0,
    [_IP],
    [() => InstanceProfile$], 1
];
var GetLoginProfileRequest$ = [3, n0, _GLPR,
    0,
    [_UN],
    [0]
];
var GetLoginProfileResponse$ = [3, n0, _GLPRe,
    0,
    [_LP],
    [() => LoginProfile$], 1
];
var GetMFADeviceRequest$ = [3, n0, _GMFADR,
    0,
    [_SNer, _UN],
    [0, 0], 1
];
var GetMFADeviceResponse$ = [3, n0, _GMFADRe,
    0,
    [_SNer, _UN, _EDn, _Ce],
    [0, 0, 4, 128 | 0], 1
];
var GetOpenIDConnectProviderRequest$ = [3, n0, _GOIDCPR,
    0,
    [_OIDCPA],
    [0], 1
];
var GetOpenIDConnectProviderResponse$ = [3, n0, _GOIDCPRe,
    0,
    [_U, _CIDL, _TL, _CD, _T],
    [0, 64 | 0, 64 | 0, 4, () => tagListType]
];
var GetOrganizationsAccessReportRequest$ = [3, n0, _GOARRet,
    0,
    [_JI, _MI, _Ma, _SK],
    [0, 1, 0, 0], 1
];
var GetOrganizationsAccessReportResponse$ = [3, n0, _GOARRetr,
    0,
    [_JS, _JCD, _JCDo, _NOSA, _NOSNA, _ADc, _IT, _Ma, _EDr],
    [0, 4, 4, 1, 1, () => AccessDetails, 2, 0, () => ErrorDetails$], 2
];
var GetOutboundWebIdentityFederationInfoResponse$ = [3, n0, _GOWIFIR,
    0,
    [_II, _JVE],
    [0, 2]
];
var GetPolicyRequest$ = [3, n0, _GPR,
    0,
    [_PA],
    [0], 1
];
var GetPolicyResponse$ = [3, n0, _GPRe,
    0,
    [_Po],
    [() => Policy$]
];
var GetPolicyVersionRequest$ = [3, n0, _GPVR,
    0,
    [_PA, _VI],
    [0, 0], 2
];
var GetPolicyVersionResponse$ = [3, n0, _GPVRe,
    0,
    [_PV],
    [() => PolicyVersion$]
];
var GetRolePolicyRequest$ = [3, n0, _GRPR,
    0,
    [_RN, _PN],
    [0, 0], 2
];
var GetRolePolicyResponse$ = [3, n0, _GRPRe,
    0,
    [_RN, _PN, _PD],
    [0, 0, 0], 3
];
var GetRoleRequest$ = [3, n0, _GRR,
    0,
    [_RN],
    [0], 1
];
var GetRoleResponse$ = [3, n0, _GRRe,
    0,
    [_Ro],
    [() => Role$], 1
];
var GetRoleTemplateVersionRequest$ = [3, n0, _GRTVR,
    0,
    [_TA, _MV],
    [0, 1], 1
];
var GetRoleTemplateVersionResponse$ = [3, n0, _GRTVRe,
    0,
    [_RTV],
    [() => RoleTemplateVersion$], 1
];
var GetSAMLProviderRequest$ = [3, n0, _GSAMLPR,
    0,
    [_SAMLPA],
    [0], 1
];
var GetSAMLProviderResponse$ = [3, n0, _GSAMLPRe,
    0,
    [_SAMLPUUID, _SAMLMD, _CD, _VU, _T, _AEM, _PKL],
    [0, 0, 4, 4, () => tagListType, 0, () => privateKeyList]
];
var GetServerCertificateRequest$ = [3, n0, _GSCR,
    0,
    [_SCN],
    [0], 1
];
var GetServerCertificateResponse$ = [3, n0, _GSCRe,
    0,
    [_SCe],
    [() => ServerCertificate$], 1
];
var GetServiceLastAccessedDetailsRequest$ = [3, n0, _GSLADRet,
    0,
    [_JI, _MI, _Ma],
    [0, 1, 0], 1
];
var GetServiceLastAccessedDetailsResponse$ = [3, n0, _GSLADRete,
    0,
    [_JS, _JCD, _SLA, _JCDo, _JT, _IT, _Ma, _E],
    [0, 4, () => ServicesLastAccessed, 4, 0, 2, 0, () => ErrorDetails$], 4
];
var GetServiceLastAccessedDetailsWithEntitiesRequest$ = [3, n0, _GSLADWER,
    0,
    [_JI, _SNe, _MI, _Ma],
    [0, 0, 1, 0], 2
];
var GetServiceLastAccessedDetailsWithEntitiesResponse$ = [3, n0, _GSLADWERe,
    0,
    [_JS, _JCD, _JCDo, _EDL, _IT, _Ma, _E],
    [0, 4, 4, () => entityDetailsListType, 2, 0, () => ErrorDetails$], 4
];
var GetServiceLinkedRoleDeletionStatusRequest$ = [3, n0, _GSLRDSR,
    0,
    [_DTI],
    [0], 1
];
var GetServiceLinkedRoleDeletionStatusResponse$ = [3, n0, _GSLRDSRe,
    0,
    [_S, _Re],
    [0, () => DeletionTaskFailureReasonType$], 1
];
var GetSSHPublicKeyRequest$ = [3, n0, _GSSHPKR,
    0,
    [_UN, _SSHPKI, _En],
    [0, 0, 0], 3
];
var GetSSHPublicKeyResponse$ = [3, n0, _GSSHPKRe,
    0,
    [_SSHPK],
    [() => SSHPublicKey$]
];
var GetUserPolicyRequest$ = [3, n0, _GUPR,
    0,
    [_UN, _PN],
    [0, 0], 2
];
var GetUserPolicyResponse$ = [3, n0, _GUPRe,
    0,
    [_UN, _PN, _PD],
    [0, 0, 0], 3
];
var GetUserRequest$ = [3, n0, _GUR,
    0,
    [_UN],
    [0]
];
var GetUserResponse$ = [3, n0, _GURe,
    0,
    [_Us],
    [() => User$], 1
];
var Group$ = [3, n0, _G,
    0,
    [_Pa, _GN, _GI, _A, _CD],
    [0, 0, 0, 0, 4], 5
];
var GroupDetail$ = [3, n0, _GD,
    0,
    [_Pa, _GN, _GI, _A, _CD, _GPL, _AMP],
    [0, 0, 0, 0, 4, () => policyDetailListType, () => attachedPoliciesListType]
];
var InlinePolicy$ = [3, n0, _IPn,
    0,
    [_PN, _PD],
    [0, 0], 2
];
var InlinePolicyIdentifierType$ = [3, n0, _IPIT,
    0,
    [_PN, _AT, _AN],
    [0, 0, 0], 3
];
var InstanceProfile$ = [3, n0, _IP,
    0,
    [_Pa, _IPN, _IPI, _A, _CD, _Rol, _T],
    [0, 0, 0, 0, 4, () => roleListType, () => tagListType], 6
];
var ListAccessKeysRequest$ = [3, n0, _LAKR,
    0,
    [_UN, _Ma, _MI],
    [0, 0, 1]
];
var ListAccessKeysResponse$ = [3, n0, _LAKRi,
    0,
    [_AKM, _IT, _Ma],
    [() => accessKeyMetadataListType, 2, 0], 1
];
var ListAccountAliasesRequest$ = [3, n0, _LAAR,
    0,
    [_Ma, _MI],
    [0, 1]
];
var ListAccountAliasesResponse$ = [3, n0, _LAARi,
    0,
    [_AAc, _IT, _Ma],
    [64 | 0, 2, 0], 1
];
var ListAttachedGroupPoliciesRequest$ = [3, n0, _LAGPR,
    0,
    [_GN, _PPat, _Ma, _MI],
    [0, 0, 0, 1], 1
];
var ListAttachedGroupPoliciesResponse$ = [3, n0, _LAGPRi,
    0,
    [_APt, _IT, _Ma],
    [() => attachedPoliciesListType, 2, 0]
];
var ListAttachedRolePoliciesRequest$ = [3, n0, _LARPR,
    0,
    [_RN, _PPat, _Ma, _MI],
    [0, 0, 0, 1], 1
];
var ListAttachedRolePoliciesResponse$ = [3, n0, _LARPRi,
    0,
    [_APt, _IT, _Ma],
    [() => attachedPoliciesListType, 2, 0]
];
var ListAttachedUserPoliciesRequest$ = [3, n0, _LAUPR,
    0,
    [_UN, _PPat, _Ma, _MI],
    [0, 0, 0, 1], 1
];
var ListAttachedUserPoliciesResponse$ = [3, n0, _LAUPRi,
    0,
    [_APt, _IT, _Ma],
    [() => attachedPoliciesListType, 2, 0]
];
var ListDelegationRequestsRequest$ = [3, n0, _LDRR,
    0,
    [_OI, _Ma, _MI],
    [0, 0, 1]
];
var ListDelegationRequestsResponse$ = [3, n0, _LDRRi,
    0,
    [_DRe, _Ma, _iT],
    [() => delegationRequestsListType, 0, 2]
];
var ListEntitiesForPolicyRequest$ = [3, n0, _LEFPR,
    0,
    [_PA, _EFn, _PPat, _PUF, _Ma, _MI],
    [0, 0, 0, 0, 0, 1], 1
];
var ListEntitiesForPolicyResponse$ = [3, n0, _LEFPRi,
    0,
    [_PG, _PU, _PR, _IT, _Ma],
    [() => PolicyGroupListType, () => PolicyUserListType, () => PolicyRoleListType, 2, 0]
];
var ListGroupPoliciesRequest$ = [3, n0, _LGPR,
    0,
    [_GN, _Ma, _MI],
    [0, 0, 1], 1
];
var ListGroupPoliciesResponse$ = [3, n0, _LGPRi,
    0,
    [_PNo, _IT, _Ma],
    [64 | 0, 2, 0], 1
];
var ListGroupsForUserRequest$ = [3, n0, _LGFUR,
    0,
    [_UN, _Ma, _MI],
    [0, 0, 1], 1
];
var ListGroupsForUserResponse$ = [3, n0, _LGFURi,
    0,
    [_Gro, _IT, _Ma],
    [() => groupListType, 2, 0], 1
];
var ListGroupsRequest$ = [3, n0, _LGR,
    0,
    [_PPat, _Ma, _MI],
    [0, 0, 1]
];
var ListGroupsResponse$ = [3, n0, _LGRi,
    0,
    [_Gro, _IT, _Ma],
    [() => groupListType, 2, 0], 1
];
var ListInstanceProfilesForRoleRequest$ = [3, n0, _LIPFRR,
    0,
    [_RN, _Ma, _MI],
    [0, 0, 1], 1
];
var ListInstanceProfilesForRoleResponse$ = [3, n0, _LIPFRRi,
    0,
    [_IPns, _IT, _Ma],
    [() => instanceProfileListType, 2, 0], 1
];
var ListInstanceProfilesRequest$ = [3, n0, _LIPR,
    0,
    [_PPat, _Ma, _MI],
    [0, 0, 1]
];
var ListInstanceProfilesResponse$ = [3, n0, _LIPRi,
    0,
    [_IPns, _IT, _Ma],
    [() => instanceProfileListType, 2, 0], 1
];
var ListInstanceProfileTagsRequest$ = [3, n0, _LIPTR,
    0,
    [_IPN, _Ma, _MI],
    [0, 0, 1], 1
];
var ListInstanceProfileTagsResponse$ = [3, n0, _LIPTRi,
    0,
    [_T, _IT, _Ma],
    [() => tagListType, 2, 0], 1
];
var ListMFADevicesRequest$ = [3, n0, _LMFADR,
    0,
    [_UN, _Ma, _MI],
    [0, 0, 1]
];
var ListMFADevicesResponse$ = [3, n0, _LMFADRi,
    0,
    [_MFAD, _IT, _Ma],
    [() => mfaDeviceListType, 2, 0], 1
];
var ListMFADeviceTagsRequest$ = [3, n0, _LMFADTR,
    0,
    [_SNer, _Ma, _MI],
    [0, 0, 1], 1
];
var ListMFADeviceTagsResponse$ = [3, n0, _LMFADTRi,
    0,
    [_T, _IT, _Ma],
    [() => tagListType, 2, 0], 1
];
var ListOpenIDConnectProvidersRequest$ = [3, n0, _LOIDCPR,
    0,
    [],
    []
];
var ListOpenIDConnectProvidersResponse$ = [3, n0, _LOIDCPRi,
    0,
    [_OIDCPL],
    [() => OpenIDConnectProviderListType]
];
var ListOpenIDConnectProviderTagsRequest$ = [3, n0, _LOIDCPTR,
    0,
    [_OIDCPA, _Ma, _MI],
    [0, 0, 1], 1
];
var ListOpenIDConnectProviderTagsResponse$ = [3, n0, _LOIDCPTRi,
    0,
    [_T, _IT, _Ma],
    [() => tagListType, 2, 0], 1
];
var ListOrganizationsFeaturesRequest$ = [3, n0, _LOFR,
    0,
    [],
    []
];
var ListOrganizationsFeaturesResponse$ = [3, n0, _LOFRi,
    0,
    [_OIr, _EF],
    [0, 64 | 0]
];
var ListPoliciesGrantingServiceAccessEntry$ = [3, n0, _LPGSAE,
    0,
    [_SNe, _Pol],
    [0, () => policyGrantingServiceAccessListType]
];
var ListPoliciesGrantingServiceAccessRequest$ = [3, n0, _LPGSAR,
    0,
    [_A, _SNerv, _Ma],
    [0, 64 | 0, 0], 2
];
var ListPoliciesGrantingServiceAccessResponse$ = [3, n0, _LPGSARi,
    0,
    [_PGSA, _IT, _Ma],
    [() => listPolicyGrantingServiceAccessResponseListType, 2, 0], 1
];
var ListPoliciesRequest$ = [3, n0, _LPR,
    0,
    [_Sc, _OA, _PPat, _PUF, _Ma, _MI],
    [0, 2, 0, 0, 0, 1]
];
var ListPoliciesResponse$ = [3, n0, _LPRi,
    0,
    [_Pol, _IT, _Ma],
    [() => policyListType, 2, 0]
];
var ListPolicyTagsRequest$ = [3, n0, _LPTR,
    0,
    [_PA, _Ma, _MI],
    [0, 0, 1], 1
];
var ListPolicyTagsResponse$ = [3, n0, _LPTRi,
    0,
    [_T, _IT, _Ma],
    [() => tagListType, 2, 0], 1
];
var ListPolicyVersionsRequest$ = [3, n0, _LPVR,
    0,
    [_PA, _Ma, _MI],
    [0, 0, 1], 1
];
var ListPolicyVersionsResponse$ = [3, n0, _LPVRi,
    0,
    [_V, _IT, _Ma],
    [() => policyDocumentVersionListType, 2, 0]
];
var ListRolePoliciesRequest$ = [3, n0, _LRPR,
    0,
    [_RN, _Ma, _MI],
    [0, 0, 1], 1
];
var ListRolePoliciesResponse$ = [3, n0, _LRPRi,
    0,
    [_PNo, _IT, _Ma],
    [64 | 0, 2, 0], 1
];
var ListRolesRequest$ = [3, n0, _LRR,
    0,
    [_PPat, _Ma, _MI],
    [0, 0, 1]
];
var ListRolesResponse$ = [3, n0, _LRRi,
    0,
    [_Rol, _IT, _Ma],
    [() => roleListType, 2, 0], 1
];
var ListRoleTagsRequest$ = [3, n0, _LRTR,
    0,
    [_RN, _Ma, _MI],
    [0, 0, 1], 1
];
var ListRoleTagsResponse$ = [3, n0, _LRTRi,
    0,
    [_T, _IT, _Ma],
    [() => tagListType, 2, 0], 1
];
var ListSAMLProvidersRequest$ = [3, n0, _LSAMLPR,
    0,
    [],
    []
];
var ListSAMLProvidersResponse$ = [3, n0, _LSAMLPRi,
    0,
    [_SAMLPL],
    [() => SAMLProviderListType]
];
var ListSAMLProviderTagsRequest$ = [3, n0, _LSAMLPTR,
    0,
    [_SAMLPA, _Ma, _MI],
    [0, 0, 1], 1
];
var ListSAMLProviderTagsResponse$ = [3, n0, _LSAMLPTRi,
    0,
    [_T, _IT, _Ma],
    [() => tagListType, 2, 0], 1
];
var ListServerCertificatesRequest$ = [3, n0, _LSCR,
    0,
    [_PPat, _Ma, _MI],
    [0, 0, 1]
];
var ListServerCertificatesResponse$ = [3, n0, _LSCRi,
    0,
    [_SCML, _IT, _Ma],
    [() => serverCertificateMetadataListType, 2, 0], 1
];
var ListServerCertificateTagsRequest$ = [3, n0, _LSCTR,
    0,
    [_SCN, _Ma, _MI],
    [0, 0, 1], 1
];
var ListServerCertificateTagsResponse$ = [3, n0, _LSCTRi,
    0,
    [_T, _IT, _Ma],
    [() => tagListType, 2, 0], 1
];
var ListServiceSpecificCredentialsRequest$ = [3, n0, _LSSCR,
    0,
    [_UN, _SN, _AU, _Ma, _MI],
    [0, 0, 2, 0, 1]
];
var ListServiceSpecificCredentialsResponse$ = [3, n0, _LSSCRi,
    0,
    [_SSCe, _Ma, _IT],
    [() => ServiceSpecificCredentialsListType, 0, 2]
];
var ListSigningCertificatesRequest$ = [3, n0, _LSCRis,
    0,
    [_UN, _Ma, _MI],
    [0, 0, 1]
];
var ListSigningCertificatesResponse$ = [3, n0, _LSCRist,
    0,
    [_Cer, _IT, _Ma],
    [() => certificateListType, 2, 0], 1
];
var ListSSHPublicKeysRequest$ = [3, n0, _LSSHPKR,
    0,
    [_UN, _Ma, _MI],
    [0, 0, 1]
];
var ListSSHPublicKeysResponse$ = [3, n0, _LSSHPKRi,
    0,
    [_SSHPKu, _IT, _Ma],
    [() => SSHPublicKeyListType, 2, 0]
];
var ListUserPoliciesRequest$ = [3, n0, _LUPR,
    0,
    [_UN, _Ma, _MI],
    [0, 0, 1], 1
];
var ListUserPoliciesResponse$ = [3, n0, _LUPRi,
    0,
    [_PNo, _IT, _Ma],
    [64 | 0, 2, 0], 1
];
var ListUsersRequest$ = [3, n0, _LUR,
    0,
    [_PPat, _Ma, _MI],
    [0, 0, 1]
];
var ListUsersResponse$ = [3, n0, _LURi,
    0,
    [_Use, _IT, _Ma],
    [() => userListType, 2, 0], 1
];
var ListUserTagsRequest$ = [3, n0, _LUTR,
    0,
    [_UN, _Ma, _MI],
    [0, 0, 1], 1
];
var ListUserTagsResponse$ = [3, n0, _LUTRi,
    0,
    [_T, _IT, _Ma],
    [() => tagListType, 2, 0], 1
];
var ListVirtualMFADevicesRequest$ = [3, n0, _LVMFADR,
    0,
    [_AS, _Ma, _MI],
    [0, 0, 1]
];
var ListVirtualMFADevicesResponse$ = [3, n0, _LVMFADRi,
    0,
    [_VMFADi, _IT, _Ma],
    [[() => virtualMFADeviceListType, 0], 2, 0], 1
];
var LoginProfile$ = [3, n0, _LP,
    0,
    [_UN, _CD, _PRR],
    [0, 4, 2], 2
];
var ManagedPolicyDetail$ = [3, n0, _MPD,
    0,
    [_PN, _PI, _A, _Pa, _DVI, _ACt, _PBUC, _IA, _D, _CD, _UD, _PVL],
    [0, 0, 0, 0, 0, 1, 1, 2, 0, 4, 4, () => policyDocumentVersionListType]
];
var MFADevice$ = [3, n0, _MFADe,
    0,
    [_UN, _SNer, _EDn],
    [0, 0, 4], 3
];
var OpenIDConnectProviderListEntry$ = [3, n0, _OIDCPLE,
    0,
    [_A],
    [0]
];
var OrderedOrganizationPolicyType$ = [3, n0, _OOPT,
    0,
    [_SCPIL],
    [64 | 0]
];
var OrganizationsDecisionDetail$ = [3, n0, _ODD,
    0,
    [_ABO],
    [2]
];
var ParameterDefinition$ = [3, n0, _PDa,
    0,
    [_N, _Ty, _ST, _D, _IR, _DV, _Im],
    [0, 0, 0, 0, 2, 0, 2], 2
];
var PasswordPolicy$ = [3, n0, _PPa,
    0,
    [_MPL, _RS, _RNeq, _RUC, _RLC, _AUTCP, _EPx, _MPA, _PRP, _HE],
    [1, 2, 2, 2, 2, 2, 2, 1, 1, 2]
];
var PermissionsBoundaryDecisionDetail$ = [3, n0, _PBDD,
    0,
    [_ABPB],
    [2]
];
var Policy$ = [3, n0, _Po,
    0,
    [_PN, _PI, _A, _Pa, _DVI, _ACt, _PBUC, _IA, _D, _CD, _UD, _T],
    [0, 0, 0, 0, 0, 1, 1, 2, 0, 4, 4, () => tagListType]
];
var PolicyDetail$ = [3, n0, _PDo,
    0,
    [_PN, _PD],
    [0, 0]
];
var PolicyGrantingServiceAccess$ = [3, n0, _PGSAo,
    0,
    [_PN, _PT, _PA, _ETn, _EN],
    [0, 0, 0, 0, 0], 2
];
var PolicyGroup$ = [3, n0, _PGo,
    0,
    [_GN, _GI],
    [0, 0]
];
var PolicyParameter$ = [3, n0, _PPo,
    0,
    [_N, _Va, _Ty],
    [0, 64 | 0, 0]
];
var PolicyRole$ = [3, n0, _PRo,
    0,
    [_RN, _RIo],
    [0, 0]
];
var PolicyUser$ = [3, n0, _PUo,
    0,
    [_UN, _UI],
    [0, 0]
];
var PolicyVersion$ = [3, n0, _PV,
    0,
    [_Do, _VI, _IDV, _CD],
    [0, 0, 2, 4]
];
var Position$ = [3, n0, _Pos,
    0,
    [_Li, _Col],
    [1, 1]
];
var PutAccountPropertiesRequest$ = [3, n0, _PAPR,
    0,
    [_Pr],
    [128 | 0], 1
];
var PutAccountPropertiesResponse$ = [3, n0, _PAPRu,
    0,
    [],
    []
];
var PutGroupPolicyRequest$ = [3, n0, _PGPR,
    0,
    [_GN, _PN, _PD],
    [0, 0, 0], 3
];
var PutRolePermissionsBoundaryRequest$ = [3, n0, _PRPBR,
    0,
    [_RN, _PB],
    [0, 0], 2
];
var PutRolePolicyRequest$ = [3, n0, _PRPR,
    0,
    [_RN, _PN, _PD],
    [0, 0, 0], 3
];
var PutUserPermissionsBoundaryRequest$ = [3, n0, _PUPBR,
    0,
    [_UN, _PB],
    [0, 0], 2
];
var PutUserPolicyRequest$ = [3, n0, _PUPR,
    0,
    [_UN, _PN, _PD],
    [0, 0, 0], 3
];
var RejectDelegationRequestRequest$ = [3, n0, _RDRR,
    0,
    [_DRI, _No],
    [0, 0], 1
];
var RemoveClientIDFromOpenIDConnectProviderRequest$ = [3, n0, _RCIDFOIDCPR,
    0,
    [_OIDCPA, _CID],
    [0, 0], 2
];
var RemoveRoleFromInstanceProfileRequest$ = [3, n0, _RRFIPR,
    0,
    [_IPN, _RN],
    [0, 0], 2
];
var RemoveUserFromGroupRequest$ = [3, n0, _RUFGR,
    0,
    [_GN, _UN],
    [0, 0], 2
];
var ReplacementValueEntry$ = [3, n0, _RVE,
    0,
    [_Va],
    [64 | 0], 1
];
var ResetServiceSpecificCredentialRequest$ = [3, n0, _RSSCR,
    0,
    [_SSCI, _UN],
    [0, 0], 1
];
var ResetServiceSpecificCredentialResponse$ = [3, n0, _RSSCRe,
    0,
    [_SSC],
    [[() => ServiceSpecificCredential$, 0]]
];
var ResourceSpecificResult$ = [3, n0, _RSRe,
    0,
    [_ERN, _ERD, _MS, _MCV, _EDD, _PBDD],
    [0, 0, () => StatementListType, 64 | 0, 128 | 0, () => PermissionsBoundaryDecisionDetail$], 2
];
var ResyncMFADeviceRequest$ = [3, n0, _RMFADR,
    0,
    [_UN, _SNer, _AC, _ACu],
    [0, 0, 0, 0], 4
];
var Role$ = [3, n0, _Ro,
    0,
    [_Pa, _RN, _RIo, _A, _CD, _ARPD, _D, _MSD, _PB, _T, _RLU, _SRT],
    [0, 0, 0, 0, 4, 0, 0, 1, () => AttachedPermissionsBoundary$, () => tagListType, () => RoleLastUsed$, () => SourceRoleTemplate$], 5
];
var RoleDetail$ = [3, n0, _RD,
    0,
    [_Pa, _RN, _RIo, _A, _CD, _ARPD, _IPL, _RPL, _AMP, _PB, _T, _RLU],
    [0, 0, 0, 0, 4, 0, () => instanceProfileListType, () => policyDetailListType, () => attachedPoliciesListType, () => AttachedPermissionsBoundary$, () => tagListType, () => RoleLastUsed$]
];
var RoleLastUsed$ = [3, n0, _RLU,
    0,
    [_LUD, _R],
    [4, 0]
];
var RoleTemplateVersion$ = [3, n0, _RTV,
    0,
    [_TA, _TN, _TVI, _D, _MVa, _DMV, _MBT, _MBV, _Ena, _MV, _RNP, _RPP, _RDP, _ARPDT, _IPT, _MPAa, _PBAe, _PDar, _RTT, _MSD, _VE, _CT, _UTp],
    [0, 0, 0, 0, 1, 1, 0, 0, 2, 1, 0, 0, 0, 0, () => inlinePolicyTemplateListType, 64 | 0, 0, () => parametersDefinitionListType, () => tagTemplateListType, 1, 2, 4, 4]
];
var RoleUsageType$ = [3, n0, _RUT,
    0,
    [_R, _Res],
    [0, 64 | 0]
];
var SAMLPrivateKey$ = [3, n0, _SAMLPK,
    0,
    [_KI, _Ti],
    [0, 4]
];
var SAMLProviderListEntry$ = [3, n0, _SAMLPLE,
    0,
    [_A, _VU, _CD],
    [0, 4, 4]
];
var SendDelegationTokenRequest$ = [3, n0, _SDTR,
    0,
    [_DRI],
    [0], 1
];
var ServerCertificate$ = [3, n0, _SCe,
    0,
    [_SCM, _CB, _CC, _T],
    [() => ServerCertificateMetadata$, 0, 0, () => tagListType], 2
];
var ServerCertificateMetadata$ = [3, n0, _SCM,
    0,
    [_Pa, _SCN, _SCI, _A, _UDp, _Ex],
    [0, 0, 0, 0, 4, 4], 4
];
var ServiceLastAccessed$ = [3, n0, _SLAe,
    0,
    [_SN, _SNe, _LA, _LAE, _LAR, _TAE, _TALA],
    [0, 0, 4, 0, 0, 1, () => TrackedActionsLastAccessed], 2
];
var ServiceSpecificCredential$ = [3, n0, _SSC,
    0,
    [_CD, _SN, _SSCI, _UN, _S, _EDx, _SUN, _SP, _SCA, _SCS],
    [4, 0, 0, 0, 0, 4, 0, [() => servicePassword, 0], 0, [() => serviceCredentialSecret, 0]], 5
];
var ServiceSpecificCredentialMetadata$ = [3, n0, _SSCM,
    0,
    [_UN, _S, _CD, _SSCI, _SN, _SUN, _SCA, _EDx],
    [0, 0, 4, 0, 0, 0, 0, 4], 5
];
var SetDefaultPolicyVersionRequest$ = [3, n0, _SDPVR,
    0,
    [_PA, _VI],
    [0, 0], 2
];
var SetSecurityTokenServicePreferencesRequest$ = [3, n0, _SSTSPR,
    0,
    [_GETV],
    [0], 1
];
var SigningCertificate$ = [3, n0, _SCi,
    0,
    [_UN, _CI, _CB, _S, _UDp],
    [0, 0, 0, 0, 4], 4
];
var SimulateCustomPolicyRequest$ = [3, n0, _SCPR,
    0,
    [_PIL, _ANc, _PBPIL, _OOPIL, _RA, _RP, _RO, _CA, _CEo, _RHO, _MI, _Ma],
    [64 | 0, 64 | 0, 64 | 0, () => OrganizationPolicyListType, 64 | 0, 0, 0, 0, () => ContextEntryListType, 0, 1, 0], 2
];
var SimulatePolicyResponse$ = [3, n0, _SPR,
    0,
    [_ERv, _IT, _Ma],
    [() => EvaluationResultsListType, 2, 0]
];
var SimulatePrincipalPolicyRequest$ = [3, n0, _SPPR,
    0,
    [_PSA, _ANc, _PIL, _PBPIL, _PEL, _RA, _RP, _RO, _CA, _CEo, _RHO, _MI, _Ma],
    [0, 64 | 0, 64 | 0, 64 | 0, () => PolicyExclusionsListType, 64 | 0, 0, 0, 0, () => ContextEntryListType, 0, 1, 0], 2
];
var SourceRoleTemplate$ = [3, n0, _SRT,
    0,
    [_TA, _TMV],
    [0, 1], 2
];
var SSHPublicKey$ = [3, n0, _SSHPK,
    0,
    [_UN, _SSHPKI, _Fi, _SSHPKB, _S, _UDp],
    [0, 0, 0, 0, 0, 4], 5
];
var SSHPublicKeyMetadata$ = [3, n0, _SSHPKM,
    0,
    [_UN, _SSHPKI, _S, _UDp],
    [0, 0, 0, 4], 4
];
var Statement$ = [3, n0, _Sta,
    0,
    [_SPI, _SPT, _SPt, _EPn],
    [0, 0, () => Position$, () => Position$]
];
var Tag$ = [3, n0, _Ta,
    0,
    [_K, _Val],
    [0, 0], 2
];
var TagInstanceProfileRequest$ = [3, n0, _TIPR,
    0,
    [_IPN, _T],
    [0, () => tagListType], 2
];
var TagMFADeviceRequest$ = [3, n0, _TMFADR,
    0,
    [_SNer, _T],
    [0, () => tagListType], 2
];
var TagOpenIDConnectProviderRequest$ = [3, n0, _TOIDCPR,
    0,
    [_OIDCPA, _T],
    [0, () => tagListType], 2
];
var TagPolicyRequest$ = [3, n0, _TPR,
    0,
    [_PA, _T],
    [0, () => tagListType], 2
];
var TagRoleRequest$ = [3, n0, _TRR,
    0,
    [_RN, _T],
    [0, () => tagListType], 2
];
var TagSAMLProviderRequest$ = [3, n0, _TSAMLPR,
    0,
    [_SAMLPA, _T],
    [0, () => tagListType], 2
];
var TagServerCertificateRequest$ = [3, n0, _TSCR,
    0,
    [_SCN, _T],
    [0, () => tagListType], 2
];
var TagTemplate$ = [3, n0, _TT,
    0,
    [_K, _Val],
    [0, 0], 2
];
var TagUserRequest$ = [3, n0, _TUR,
    0,
    [_UN, _T],
    [0, () => tagListType], 2
];
var TrackedActionLastAccessed$ = [3, n0, _TALAr,
    0,
    [_ANct, _LAEa, _LATa, _LARa],
    [0, 0, 4, 0]
];
var UntagInstanceProfileRequest$ = [3, n0, _UIPR,
    0,
    [_IPN, _TK],
    [0, 64 | 0], 2
];
var UntagMFADeviceRequest$ = [3, n0, _UMFADR,
    0,
    [_SNer, _TK],
    [0, 64 | 0], 2
];
var UntagOpenIDConnectProviderRequest$ = [3, n0, _UOIDCPR,
    0,
    [_OIDCPA, _TK],
    [0, 64 | 0], 2
];
var UntagPolicyRequest$ = [3, n0, _UPR,
    0,
    [_PA, _TK],
    [0, 64 | 0], 2
];
var UntagRoleRequest$ = [3, n0, _URR,
    0,
    [_RN, _TK],
    [0, 64 | 0], 2
];
var UntagSAMLProviderRequest$ = [3, n0, _USAMLPR,
    0,
    [_SAMLPA, _TK],
    [0, 64 | 0], 2
];
var UntagServerCertificateRequest$ = [3, n0, _USCR,
    0,
    [_SCN, _TK],
    [0, 64 | 0], 2
];
var UntagUserRequest$ = [3, n0, _UUR,
    0,
    [_UN, _TK],
    [0, 64 | 0], 2
];
var UpdateAccessKeyRequest$ = [3, n0, _UAKR,
    0,
    [_AKI, _S, _UN],
    [0, 0, 0], 2
];
var UpdateAccountPasswordPolicyRequest$ = [3, n0, _UAPPR,
    0,
    [_MPL, _RS, _RNeq, _RUC, _RLC, _AUTCP, _MPA, _PRP, _HE],
    [1, 2, 2, 2, 2, 2, 1, 1, 2]
];
var UpdateAssumeRolePolicyRequest$ = [3, n0, _UARPR,
    0,
    [_RN, _PD],
    [0, 0], 2
];
var UpdateDelegationRequestRequest$ = [3, n0, _UDRR,
    0,
    [_DRI, _No],
    [0, 0], 1
];
var UpdateGroupRequest$ = [3, n0, _UGR,
    0,
    [_GN, _NPe, _NGN],
    [0, 0, 0], 1
];
var UpdateLoginProfileRequest$ = [3, n0, _ULPR,
    0,
    [_UN, _Pas, _PRR],
    [0, [() => passwordType, 0], 2], 1
];
var UpdateOpenIDConnectProviderThumbprintRequest$ = [3, n0, _UOIDCPTR,
    0,
    [_OIDCPA, _TL],
    [0, 64 | 0], 2
];
var UpdateRoleDescriptionRequest$ = [3, n0, _URDR,
    0,
    [_RN, _D],
    [0, 0], 2
];
var UpdateRoleDescriptionResponse$ = [3, n0, _URDRp,
    0,
    [_Ro],
    [() => Role$]
];
var UpdateRoleRequest$ = [3, n0, _URRp,
    0,
    [_RN, _D, _MSD],
    [0, 0, 1], 1
];
var UpdateRoleResponse$ = [3, n0, _URRpd,
    0,
    [],
    []
];
var UpdateSAMLProviderRequest$ = [3, n0, _USAMLPRp,
    0,
    [_SAMLPA, _SAMLMD, _AEM, _APK, _RPK],
    [0, 0, 0, [() => privateKeyType, 0], 0], 1
];
var UpdateSAMLProviderResponse$ = [3, n0, _USAMLPRpd,
    0,
    [_SAMLPA],
    [0]
];
var UpdateServerCertificateRequest$ = [3, n0, _USCRp,
    0,
    [_SCN, _NPe, _NSCN],
    [0, 0, 0], 1
];
var UpdateServiceSpecificCredentialRequest$ = [3, n0, _USSCR,
    0,
    [_SSCI, _S, _UN],
    [0, 0, 0], 2
];
var UpdateSigningCertificateRequest$ = [3, n0, _USCRpd,
    0,
    [_CI, _S, _UN],
    [0, 0, 0], 2
];
var UpdateSSHPublicKeyRequest$ = [3, n0, _USSHPKR,
    0,
    [_UN, _SSHPKI, _S],
    [0, 0, 0], 3
];
var UpdateUserRequest$ = [3, n0, _UURp,
    0,
    [_UN, _NPe, _NUN],
    [0, 0, 0], 1
];
var UploadServerCertificateRequest$ = [3, n0, _USCRpl,
    0,
    [_SCN, _CB, _PK, _Pa, _CC, _T],
    [0, 0, [() => privateKeyType, 0], 0, 0, () => tagListType], 3
];
var UploadServerCertificateResponse$ = [3, n0, _USCRplo,
    0,
    [_SCM, _T],
    [() => ServerCertificateMetadata$, () => tagListType]
];
var UploadSigningCertificateRequest$ = [3, n0, _USCRploa,
    0,
    [_CB, _UN],
    [0, 0], 1
];
var UploadSigningCertificateResponse$ = [3, n0, _USCRpload,
    0,
    [_Cert],
    [() => SigningCertificate$], 1
];
var UploadSSHPublicKeyRequest$ = [3, n0, _USSHPKRp,
    0,
    [_UN, _SSHPKB],
    [0, 0], 2
];
var UploadSSHPublicKeyResponse$ = [3, n0, _USSHPKRpl,
    0,
    [_SSHPK],
    [() => SSHPublicKey$]
];
var User$ = [3, n0, _Us,
    0,
    [_Pa, _UN, _UI, _A, _CD, _PLU, _PB, _T],
    [0, 0, 0, 0, 4, 4, () => AttachedPermissionsBoundary$, () => tagListType], 5
];
var UserDetail$ = [3, n0, _UDs,
    0,
    [_Pa, _UN, _UI, _A, _CD, _UPL, _GL, _AMP, _PB, _T],
    [0, 0, 0, 0, 4, () => policyDetailListType, 64 | 0, () => attachedPoliciesListType, () => AttachedPermissionsBoundary$, () => tagListType]
];
var VirtualMFADevice$ = [3, n0, _VMFAD,
    0,
    [_SNer, _BSS, _QRCPNG, _Us, _EDn, _T],
    [0, [() => BootstrapDatum, 0], [() => BootstrapDatum, 0], () => User$, 4, () => tagListType], 1
];
var __Unit = "unit";
var AccessDetails = [1, n0, _ADc,
    0, () => AccessDetail$
];
var accessKeyMetadataListType = [1, n0, _aKMLT,
    0, () => AccessKeyMetadata$
];
var attachedPoliciesListType = [1, n0, _aPLT,
    0, () => AttachedPolicy$
];
var certificateListType = [1, n0, _cLT,
    0, () => SigningCertificate$
];
var ContextEntryListType = [1, n0, _CELT,
    0, () => ContextEntry$
];
var delegationRequestsListType = [1, n0, _dRLT,
    0, () => DelegationRequest$
];
var entityDetailsListType = [1, n0, _eDLT,
    0, () => EntityDetails$
];
var EvaluationResultsListType = [1, n0, _ERLT,
    0, () => EvaluationResult$
];
var groupDetailListType = [1, n0, _gDLT,
    0, () => GroupDetail$
];
var groupListType = [1, n0, _gLT,
    0, () => Group$
];
var inlinePolicyTemplateListType = [1, n0, _iPTLT,
    0, () => InlinePolicy$
];
var instanceProfileListType = [1, n0, _iPLT,
    0, () => InstanceProfile$
];
var listPolicyGrantingServiceAccessResponseListType = [1, n0, _lPGSARLT,
    0, () => ListPoliciesGrantingServiceAccessEntry$
];
var ManagedPolicyDetailListType = [1, n0, _MPDLT,
    0, () => ManagedPolicyDetail$
];
var mfaDeviceListType = [1, n0, _mDLT,
    0, () => MFADevice$
];
var OpenIDConnectProviderListType = [1, n0, _OIDCPLT,
    0, () => OpenIDConnectProviderListEntry$
];
var OrganizationPolicyListType = [1, n0, _OPLT,
    0, () => OrderedOrganizationPolicyType$
];
var parametersDefinitionListType = [1, n0, _pDLT,
    0, () => ParameterDefinition$
];
var policyDetailListType = [1, n0, _pDLTo,
    0, () => PolicyDetail$
];
var policyDocumentVersionListType = [1, n0, _pDVLT,
    0, () => PolicyVersion$
];
var PolicyExclusionsListType = [1, n0, _PELT,
    0, () => PolicyIdentifier$
];
var policyGrantingServiceAccessListType = [1, n0, _pGSALT,
    0, () => PolicyGrantingServiceAccess$
];
var PolicyGroupListType = [1, n0, _PGLT,
    0, () => PolicyGroup$
];
var policyListType = [1, n0, _pLT,
    0, () => Policy$
];
var policyParameterListType = [1, n0, _pPLT,
    0, () => PolicyParameter$
];
var PolicyRoleListType = [1, n0, _PRLT,
    0, () => PolicyRole$
];
var PolicyUserListType = [1, n0, _PULT,
    0, () => PolicyUser$
];
var privateKeyList = [1, n0, _pKL,
    0, () => SAMLPrivateKey$
];
var ResourceSpecificResultListType = [1, n0, _RSRLT,
    0, () => ResourceSpecificResult$
];
var roleDetailListType = [1, n0, _rDLT,
    0, () => RoleDetail$
];
var roleListType = [1, n0, _rLT,
    0, () => Role$
];
var RoleUsageListType = [1, n0, _RULT,
    0, () => RoleUsageType$
];
var SAMLProviderListType = [1, n0, _SAMLPLT,
    0, () => SAMLProviderListEntry$
];
var serverCertificateMetadataListType = [1, n0, _sCMLT,
    0, () => ServerCertificateMetadata$
];
var ServicesLastAccessed = [1, n0, _SLA,
    0, () => ServiceLastAccessed$
];
var ServiceSpecificCredentialsListType = [1, n0, _SSCLT,
    0, () => ServiceSpecificCredentialMetadata$
];
var SSHPublicKeyListType = [1, n0, _SSHPKLT,
    0, () => SSHPublicKeyMetadata$
];
var StatementListType = [1, n0, _SLT,
    0, () => Statement$
];
var tagListType = [1, n0, _tLT,
    0, () => Tag$
];
var tagTemplateListType = [1, n0, _tTLT,
    0, () => TagTemplate$
];
var TrackedActionsLastAccessed = [1, n0, _TALA,
    0, () => TrackedActionLastAccessed$
];
var userDetailListType = [1, n0, _uDLT,
    0, () => UserDetail$
];
var userListType = [1, n0, _uLT,
    0, () => User$
];
var virtualMFADeviceListType = [1, n0, _vMFADLT,
    0, [() => VirtualMFADevice$,
        0]
];
var mapStringReplacementValueEntry = [2, n0, _mSRVE,
    0, 0, () => ReplacementValueEntry$
];
var PolicyIdentifier$ = [4, n0, _PIo,
    0,
    [_PT, _PA, _IPIn],
    [0, 0, () => InlinePolicyIdentifierType$]
];
var AcceptDelegationRequest$ = [9, n0, _ADR,
    0, () => AcceptDelegationRequestRequest$, () => __Unit
];
var AcquireRole$ = [9, n0, _AR,
    0, () => AcquireRoleRequest$, () => AcquireRoleResponse$
];
var AddClientIDToOpenIDConnectProvider$ = [9, n0, _ACIDTOIDCP,
    0, () => AddClientIDToOpenIDConnectProviderRequest$, () => __Unit
];
var AddRoleToInstanceProfile$ = [9, n0, _ARTIP,
    0, () => AddRoleToInstanceProfileRequest$, () => __Unit
];
var AddUserToGroup$ = [9, n0, _AUTG,
    0, () => AddUserToGroupRequest$, () => __Unit
];
var AssociateDelegationRequest$ = [9, n0, _ADRs,
    0, () => AssociateDelegationRequestRequest$, () => __Unit
];
var AttachGroupPolicy$ = [9, n0, _AGP,
    0, () => AttachGroupPolicyRequest$, () => __Unit
];
var AttachRolePolicy$ = [9, n0, _ARP,
    0, () => AttachRolePolicyRequest$, () => __Unit
];
var AttachUserPolicy$ = [9, n0, _AUP,
    0, () => AttachUserPolicyRequest$, () => __Unit
];
var ChangePassword$ = [9, n0, _CP,
    0, () => ChangePasswordRequest$, () => __Unit
];
var CreateAccessKey$ = [9, n0, _CAK,
    0, () => CreateAccessKeyRequest$, () => CreateAccessKeyResponse$
];
var CreateAccountAlias$ = [9, n0, _CAA,
    0, () => CreateAccountAliasRequest$, () => __Unit
];
var CreateDelegationRequest$ = [9, n0, _CDR,
    0, () => CreateDelegationRequestRequest$, () => CreateDelegationRequestResponse$
];
var CreateGroup$ = [9, n0, _CG,
    0, () => CreateGroupRequest$, () => CreateGroupResponse$
];
var CreateInstanceProfile$ = [9, n0, _CIP,
    0, () => CreateInstanceProfileRequest$, () => CreateInstanceProfileResponse$
];
var CreateLoginProfile$ = [9, n0, _CLP,
    0, () => CreateLoginProfileRequest$, () => CreateLoginProfileResponse$
];
var CreateOpenIDConnectProvider$ = [9, n0, _COIDCP,
    0, () => CreateOpenIDConnectProviderRequest$, () => CreateOpenIDConnectProviderResponse$
];
var CreatePolicy$ = [9, n0, _CPr,
    0, () => CreatePolicyRequest$, () => CreatePolicyResponse$
];
var CreatePolicyVersion$ = [9, n0, _CPV,
    0, () => CreatePolicyVersionRequest$, () => CreatePolicyVersionResponse$
];
var CreateRole$ = [9, n0, _CR,
    0, () => CreateRoleRequest$, () => CreateRoleResponse$
];
var CreateSAMLProvider$ = [9, n0, _CSAMLP,
    0, () => CreateSAMLProviderRequest$, () => CreateSAMLProviderResponse$
];
var CreateServiceLinkedRole$ = [9, n0, _CSLR,
    0, () => CreateServiceLinkedRoleRequest$, () => CreateServiceLinkedRoleResponse$
];
var CreateServiceSpecificCredential$ = [9, n0, _CSSC,
    0, () => CreateServiceSpecificCredentialRequest$, () => CreateServiceSpecificCredentialResponse$
];
var CreateUser$ = [9, n0, _CU,
    0, () => CreateUserRequest$, () => CreateUserResponse$
];
var CreateVirtualMFADevice$ = [9, n0, _CVMFAD,
    0, () => CreateVirtualMFADeviceRequest$, () => CreateVirtualMFADeviceResponse$
];
var DeactivateMFADevice$ = [9, n0, _DMFAD,
    0, () => DeactivateMFADeviceRequest$, () => __Unit
];
var DeleteAccessKey$ = [9, n0, _DAK,
    0, () => DeleteAccessKeyRequest$, () => __Unit
];
var DeleteAccountAlias$ = [9, n0, _DAA,
    0, () => DeleteAccountAliasRequest$, () => __Unit
];
var DeleteAccountPasswordPolicy$ = [9, n0, _DAPP,
    0, () => __Unit, () => __Unit
];
var DeleteGroup$ = [9, n0, _DG,
    0, () => DeleteGroupRequest$, () => __Unit
];
var DeleteGroupPolicy$ = [9, n0, _DGP,
    0, () => DeleteGroupPolicyRequest$, () => __Unit
];
var DeleteInstanceProfile$ = [9, n0, _DIP,
    0, () => DeleteInstanceProfileRequest$, () => __Unit
];
var DeleteLoginProfile$ = [9, n0, _DLP,
    0, () => DeleteLoginProfileRequest$, () => __Unit
];
var DeleteOpenIDConnectProvider$ = [9, n0, _DOIDCP,
    0, () => DeleteOpenIDConnectProviderRequest$, () => __Unit
];
var DeletePolicy$ = [9, n0, _DPe,
    0, () => DeletePolicyRequest$, () => __Unit
];
var DeletePolicyVersion$ = [9, n0, _DPV,
    0, () => DeletePolicyVersionRequest$, () => __Unit
];
var DeleteRole$ = [9, n0, _DRel,
    0, () => DeleteRoleRequest$, () => __Unit
];
var DeleteRolePermissionsBoundary$ = [9, n0, _DRPB,
    0, () => DeleteRolePermissionsBoundaryRequest$, () => __Unit
];
var DeleteRolePolicy$ = [9, n0, _DRP,
    0, () => DeleteRolePolicyRequest$, () => __Unit
];
var DeleteSAMLProvider$ = [9, n0, _DSAMLP,
    0, () => DeleteSAMLProviderRequest$, () => __Unit
];
var DeleteServerCertificate$ = [9, n0, _DSC,
    0, () => DeleteServerCertificateRequest$, () => __Unit
];
var DeleteServiceLinkedRole$ = [9, n0, _DSLR,
    0, () => DeleteServiceLinkedRoleRequest$, () => DeleteServiceLinkedRoleResponse$
];
var DeleteServiceSpecificCredential$ = [9, n0, _DSSC,
    0, () => DeleteServiceSpecificCredentialRequest$, () => __Unit
];
var DeleteSigningCertificate$ = [9, n0, _DSCe,
    0, () => DeleteSigningCertificateRequest$, () => __Unit
];
var DeleteSSHPublicKey$ = [9, n0, _DSSHPK,
    0, () => DeleteSSHPublicKeyRequest$, () => __Unit
];
var DeleteUser$ = [9, n0, _DU,
    0, () => DeleteUserRequest$, () => __Unit
];
var DeleteUserPermissionsBoundary$ = [9, n0, _DUPB,
    0, () => DeleteUserPermissionsBoundaryRequest$, () => __Unit
];
var DeleteUserPolicy$ = [9, n0, _DUP,
    0, () => DeleteUserPolicyRequest$, () => __Unit
];
var DeleteVirtualMFADevice$ = [9, n0, _DVMFAD,
    0, () => DeleteVirtualMFADeviceRequest$, () => __Unit
];
var DetachGroupPolicy$ = [9, n0, _DGPe,
    0, () => DetachGroupPolicyRequest$, () => __Unit
];
var DetachRolePolicy$ = [9, n0, _DRPe,
    0, () => DetachRolePolicyRequest$, () => __Unit
];
var DetachUserPolicy$ = [9, n0, _DUPe,
    0, () => DetachUserPolicyRequest$, () => __Unit
];
var DisableOrganizationsRootCredentialsManagement$ = [9, n0, _DORCM,
    0, () => DisableOrganizationsRootCredentialsManagementRequest$, () => DisableOrganizationsRootCredentialsManagementResponse$
];
var DisableOrganizationsRootSessions$ = [9, n0, _DORS,
    0, () => DisableOrganizationsRootSessionsRequest$, () => DisableOrganizationsRootSessionsResponse$
];
var DisableOutboundWebIdentityFederation$ = [9, n0, _DOWIF,
    0, () => __Unit, () => __Unit
];
var EnableMFADevice$ = [9, n0, _EMFAD,
    0, () => EnableMFADeviceRequest$, () => __Unit
];
var EnableOrganizationsRootCredentialsManagement$ = [9, n0, _EORCM,
    0, () => EnableOrganizationsRootCredentialsManagementRequest$, () => EnableOrganizationsRootCredentialsManagementResponse$
];
var EnableOrganizationsRootSessions$ = [9, n0, _EORS,
    0, () => EnableOrganizationsRootSessionsRequest$, () => EnableOrganizationsRootSessionsResponse$
];
var EnableOutboundWebIdentityFederation$ = [9, n0, _EOWIF,
    0, () => __Unit, () => EnableOutboundWebIdentityFederationResponse$
];
var GenerateCredentialReport$ = [9, n0, _GCR,
    0, () => __Unit, () => GenerateCredentialReportResponse$
];
var GenerateOrganizationsAccessReport$ = [9, n0, _GOAR,
    0, () => GenerateOrganizationsAccessReportRequest$, () => GenerateOrganizationsAccessReportResponse$
];
var GenerateServiceLastAccessedDetails$ = [9, n0, _GSLAD,
    0, () => GenerateServiceLastAccessedDetailsRequest$, () => GenerateServiceLastAccessedDetailsResponse$
];
var GetAccessKeyLastUsed$ = [9, n0, _GAKLU,
    0, () => GetAccessKeyLastUsedRequest$, () => GetAccessKeyLastUsedResponse$
];
var GetAccountAuthorizationDetails$ = [9, n0, _GAAD,
    0, () => GetAccountAuthorizationDetailsRequest$, () => GetAccountAuthorizationDetailsResponse$
];
var GetAccountPasswordPolicy$ = [9, n0, _GAPP,
    0, () => __Unit, () => GetAccountPasswordPolicyResponse$
];
var GetAccountProperties$ = [9, n0, _GAP,
    0, () => GetAccountPropertiesRequest$, () => GetAccountPropertiesResponse$
];
var GetAccountSummary$ = [9, n0, _GAS,
    0, () => __Unit, () => GetAccountSummaryResponse$
];
var GetContextKeysForCustomPolicy$ = [9, n0, _GCKFCP,
    0, () => GetContextKeysForCustomPolicyRequest$, () => GetContextKeysForPolicyResponse$
];
var GetContextKeysForPrincipalPolicy$ = [9, n0, _GCKFPP,
    0, () => GetContextKeysForPrincipalPolicyRequest$, () => GetContextKeysForPolicyResponse$
];
var GetCredentialReport$ = [9, n0, _GCRe,
    0, () => __Unit, () => GetCredentialReportResponse$
];
var GetDelegationRequest$ = [9, n0, _GDR,
    0, () => GetDelegationRequestRequest$, () => GetDelegationRequestResponse$
];
var GetGroup$ = [9, n0, _GG,
    0, () => GetGroupRequest$, () => GetGroupResponse$
];
var GetGroupPolicy$ = [9, n0, _GGP,
    0, () => GetGroupPolicyRequest$, () => GetGroupPolicyResponse$
];
var GetHumanReadableSummary$ = [9, n0, _GHRS,
    0, () => GetHumanReadableSummaryRequest$, () => GetHumanReadableSummaryResponse$
];
var GetInstanceProfile$ = [9, n0, _GIP,
    0, () => GetInstanceProfileRequest$, () => GetInstanceProfileResponse$
];
var GetLoginProfile$ = [9, n0, _GLP,
    0, () => GetLoginProfileRequest$, () => GetLoginProfileResponse$
];
var GetMFADevice$ = [9, n0, _GMFAD,
    0, () => GetMFADeviceRequest$, () => GetMFADeviceResponse$
];
var GetOpenIDConnectProvider$ = [9, n0, _GOIDCP,
    0, () => GetOpenIDConnectProviderRequest$, () => GetOpenIDConnectProviderResponse$
];
var GetOrganizationsAccessReport$ = [9, n0, _GOARe,
    0, () => GetOrganizationsAccessReportRequest$, () => GetOrganizationsAccessReportResponse$
];
var GetOutboundWebIdentityFederationInfo$ = [9, n0, _GOWIFI,
    0, () => __Unit, () => GetOutboundWebIdentityFederationInfoResponse$
];
var GetPolicy$ = [9, n0, _GP,
    0, () => GetPolicyRequest$, () => GetPolicyResponse$
];
var GetPolicyVersion$ = [9, n0, _GPV,
    0, () => GetPolicyVersionRequest$, () => GetPolicyVersionResponse$
];
var GetRole$ = [9, n0, _GR,
    0, () => GetRoleRequest$, () => GetRoleResponse$
];
var GetRolePolicy$ = [9, n0, _GRP,
    0, () => GetRolePolicyRequest$, () => GetRolePolicyResponse$
];
var GetRoleTemplateVersion$ = [9, n0, _GRTV,
    0, () => GetRoleTemplateVersionRequest$, () => GetRoleTemplateVersionResponse$
];
var GetSAMLProvider$ = [9, n0, _GSAMLP,
    0, () => GetSAMLProviderRequest$, () => GetSAMLProviderResponse$
];
var GetServerCertificate$ = [9, n0, _GSC,
    0, () => GetServerCertificateRequest$, () => GetServerCertificateResponse$
];
var GetServiceLastAccessedDetails$ = [9, n0, _GSLADe,
    0, () => GetServiceLastAccessedDetailsRequest$, () => GetServiceLastAccessedDetailsResponse$
];
var GetServiceLastAccessedDetailsWithEntities$ = [9, n0, _GSLADWE,
    0, () => GetServiceLastAccessedDetailsWithEntitiesRequest$, () => GetServiceLastAccessedDetailsWithEntitiesResponse$
];
var GetServiceLinkedRoleDeletionStatus$ = [9, n0, _GSLRDS,
    0, () => GetServiceLinkedRoleDeletionStatusRequest$, () => GetServiceLinkedRoleDeletionStatusResponse$
];
var GetSSHPublicKey$ = [9, n0, _GSSHPK,
    0, () => GetSSHPublicKeyRequest$, () => GetSSHPublicKeyResponse$
];
var GetUser$ = [9, n0, _GU,
    0, () => GetUserRequest$, () => GetUserResponse$
];
var GetUserPolicy$ = [9, n0, _GUP,
    0, () => GetUserPolicyRequest$, () => GetUserPolicyResponse$
];
var ListAccessKeys$ = [9, n0, _LAK,
    0, () => ListAccessKeysRequest$, () => ListAccessKeysResponse$
];
var ListAccountAliases$ = [9, n0, _LAA,
    0, () => ListAccountAliasesRequest$, () => ListAccountAliasesResponse$
];
var ListAttachedGroupPolicies$ = [9, n0, _LAGP,
    0, () => ListAttachedGroupPoliciesRequest$, () => ListAttachedGroupPoliciesResponse$
];
var ListAttachedRolePolicies$ = [9, n0, _LARP,
    0, () => ListAttachedRolePoliciesRequest$, () => ListAttachedRolePoliciesResponse$
];
var ListAttachedUserPolicies$ = [9, n0, _LAUP,
    0, () => ListAttachedUserPoliciesRequest$, () => ListAttachedUserPoliciesResponse$
];
var ListDelegationRequests$ = [9, n0, _LDR,
    0, () => ListDelegationRequestsRequest$, () => ListDelegationRequestsResponse$
];
var ListEntitiesForPolicy$ = [9, n0, _LEFP,
    0, () => ListEntitiesForPolicyRequest$, () => ListEntitiesForPolicyResponse$
];
var ListGroupPolicies$ = [9, n0, _LGP,
    0, () => ListGroupPoliciesRequest$, () => ListGroupPoliciesResponse$
];
var ListGroups$ = [9, n0, _LG,
    0, () => ListGroupsRequest$, () => ListGroupsResponse$
];
var ListGroupsForUser$ = [9, n0, _LGFU,
    0, () => ListGroupsForUserRequest$, () => ListGroupsForUserResponse$
];
var ListInstanceProfiles$ = [9, n0, _LIP,
    0, () => ListInstanceProfilesRequest$, () => ListInstanceProfilesResponse$
];
var ListInstanceProfilesForRole$ = [9, n0, _LIPFR,
    0, () => ListInstanceProfilesForRoleRequest$, () => ListInstanceProfilesForRoleResponse$
];
var ListInstanceProfileTags$ = [9, n0, _LIPT,
    0, () => ListInstanceProfileTagsRequest$, () => ListInstanceProfileTagsResponse$
];
var ListMFADevices$ = [9, n0, _LMFAD,
    0, () => ListMFADevicesRequest$, () => ListMFADevicesResponse$
];
var ListMFADeviceTags$ = [9, n0, _LMFADT,
    0, () => ListMFADeviceTagsRequest$, () => ListMFADeviceTagsResponse$
];
var ListOpenIDConnectProviders$ = [9, n0, _LOIDCP,
    0, () => ListOpenIDConnectProvidersRequest$, () => ListOpenIDConnectProvidersResponse$
];
var ListOpenIDConnectProviderTags$ = [9, n0, _LOIDCPT,
    0, () => ListOpenIDConnectProviderTagsRequest$, () => ListOpenIDConnectProviderTagsResponse$
];
var ListOrganizationsFeatures$ = [9, n0, _LOF,
    0, () => ListOrganizationsFeaturesRequest$, () => ListOrganizationsFeaturesResponse$
];
var ListPolicies$ = [9, n0, _LPi,
    0, () => ListPoliciesRequest$, () => ListPoliciesResponse$
];
var ListPoliciesGrantingServiceAccess$ = [9, n0, _LPGSA,
    0, () => ListPoliciesGrantingServiceAccessRequest$, () => ListPoliciesGrantingServiceAccessResponse$
];
var ListPolicyTags$ = [9, n0, _LPT,
    0, () => ListPolicyTagsRequest$, () => ListPolicyTagsResponse$
];
var ListPolicyVersions$ = [9, n0, _LPV,
    0, () => ListPolicyVersionsRequest$, () => ListPolicyVersionsResponse$
];
var ListRolePolicies$ = [9, n0, _LRP,
    0, () => ListRolePoliciesRequest$, () => ListRolePoliciesResponse$
];
var ListRoles$ = [9, n0, _LR,
    0, () => ListRolesRequest$, () => ListRolesResponse$
];
var ListRoleTags$ = [9, n0, _LRT,
    0, () => ListRoleTagsRequest$, () => ListRoleTagsResponse$
];
var ListSAMLProviders$ = [9, n0, _LSAMLP,
    0, () => ListSAMLProvidersRequest$, () => ListSAMLProvidersResponse$
];
var ListSAMLProviderTags$ = [9, n0, _LSAMLPT,
    0, () => ListSAMLProviderTagsRequest$, () => ListSAMLProviderTagsResponse$
];
var ListServerCertificates$ = [9, n0, _LSC,
    0, () => ListServerCertificatesRequest$, () => ListServerCertificatesResponse$
];
var ListServerCertificateTags$ = [9, n0, _LSCT,
    0, () => ListServerCertificateTagsRequest$, () => ListServerCertificateTagsResponse$
];
var ListServiceSpecificCredentials$ = [9, n0, _LSSC,
    0, () => ListServiceSpecificCredentialsRequest$, () => ListServiceSpecificCredentialsResponse$
];
var ListSigningCertificates$ = [9, n0, _LSCi,
    0, () => ListSigningCertificatesRequest$, () => ListSigningCertificatesResponse$
];
var ListSSHPublicKeys$ = [9, n0, _LSSHPK,
    0, () => ListSSHPublicKeysRequest$, () => ListSSHPublicKeysResponse$
];
var ListUserPolicies$ = [9, n0, _LUP,
    0, () => ListUserPoliciesRequest$, () => ListUserPoliciesResponse$
];
var ListUsers$ = [9, n0, _LU,
    0, () => ListUsersRequest$, () => ListUsersResponse$
];
var ListUserTags$ = [9, n0, _LUT,
    0, () => ListUserTagsRequest$, () => ListUserTagsResponse$
];
var ListVirtualMFADevices$ = [9, n0, _LVMFAD,
    0, () => ListVirtualMFADevicesRequest$, () => ListVirtualMFADevicesResponse$
];
var PutAccountProperties$ = [9, n0, _PAP,
    0, () => PutAccountPropertiesRequest$, () => PutAccountPropertiesResponse$
];
var PutGroupPolicy$ = [9, n0, _PGP,
    0, () => PutGroupPolicyRequest$, () => __Unit
];
var PutRolePermissionsBoundary$ = [9, n0, _PRPB,
    0, () => PutRolePermissionsBoundaryRequest$, () => __Unit
];
var PutRolePolicy$ = [9, n0, _PRPu,
    0, () => PutRolePolicyRequest$, () => __Unit
];
var PutUserPermissionsBoundary$ = [9, n0, _PUPB,
    0, () => PutUserPermissionsBoundaryRequest$, () => __Unit
];
var PutUserPolicy$ = [9, n0, _PUP,
    0, () => PutUserPolicyRequest$, () => __Unit
];
var RejectDelegationRequest$ = [9, n0, _RDR,
    0, () => RejectDelegationRequestRequest$, () => __Unit
];
var RemoveClientIDFromOpenIDConnectProvider$ = [9, n0, _RCIDFOIDCP,
    0, () => RemoveClientIDFromOpenIDConnectProviderRequest$, () => __Unit
];
var RemoveRoleFromInstanceProfile$ = [9, n0, _RRFIP,
    0, () => RemoveRoleFromInstanceProfileRequest$, () => __Unit
];
var RemoveUserFromGroup$ = [9, n0, _RUFG,
    0, () => RemoveUserFromGroupRequest$, () => __Unit
];
var ResetServiceSpecificCredential$ = [9, n0, _RSSC,
    0, () => ResetServiceSpecificCredentialRequest$, () => ResetServiceSpecificCredentialResponse$
];
var ResyncMFADevice$ = [9, n0, _RMFAD,
    0, () => ResyncMFADeviceRequest$, () => __Unit
];
var SendDelegationToken$ = [9, n0, _SDT,
    0, () => SendDelegationTokenRequest$, () => __Unit
];
var SetDefaultPolicyVersion$ = [9, n0, _SDPV,
    0, () => SetDefaultPolicyVersionRequest$, () => __Unit
];
var SetSecurityTokenServicePreferences$ = [9, n0, _SSTSP,
    0, () => SetSecurityTokenServicePreferencesRequest$, () => __Unit
];
var SimulateCustomPolicy$ = [9, n0, _SCP,
    0, () => SimulateCustomPolicyRequest$, () => SimulatePolicyResponse$
];
var SimulatePrincipalPolicy$ = [9, n0, _SPP,
    0, () => SimulatePrincipalPolicyRequest$, () => SimulatePolicyResponse$
];
var TagInstanceProfile$ = [9, n0, _TIP,
    0, () => TagInstanceProfileRequest$, () => __Unit
];
var TagMFADevice$ = [9, n0, _TMFAD,
    0, () => TagMFADeviceRequest$, () => __Unit
];
var TagOpenIDConnectProvider$ = [9, n0, _TOIDCP,
    0, () => TagOpenIDConnectProviderRequest$, () => __Unit
];
var TagPolicy$ = [9, n0, _TP,
    0, () => TagPolicyRequest$, () => __Unit
];
var TagRole$ = [9, n0, _TR,
    0, () => TagRoleRequest$, () => __Unit
];
var TagSAMLProvider$ = [9, n0, _TSAMLP,
    0, () => TagSAMLProviderRequest$, () => __Unit
];
var TagServerCertificate$ = [9, n0, _TSC,
    0, () => TagServerCertificateRequest$, () => __Unit
];
var TagUser$ = [9, n0, _TU,
    0, () => TagUserRequest$, () => __Unit
];
var UntagInstanceProfile$ = [9, n0, _UIP,
    0, () => UntagInstanceProfileRequest$, () => __Unit
];
var UntagMFADevice$ = [9, n0, _UMFAD,
    0, () => UntagMFADeviceRequest$, () => __Unit
];
var UntagOpenIDConnectProvider$ = [9, n0, _UOIDCP,
    0, () => UntagOpenIDConnectProviderRequest$, () => __Unit
];
var UntagPolicy$ = [9, n0, _UP,
    0, () => UntagPolicyRequest$, () => __Unit
];
var UntagRole$ = [9, n0, _UR,
    0, () => UntagRoleRequest$, () => __Unit
];
var UntagSAMLProvider$ = [9, n0, _USAMLP,
    0, () => UntagSAMLProviderRequest$, () => __Unit
];
var UntagServerCertificate$ = [9, n0, _USC,
    0, () => UntagServerCertificateRequest$, () => __Unit
];
var UntagUser$ = [9, n0, _UU,
    0, () => UntagUserRequest$, () => __Unit
];
var UpdateAccessKey$ = [9, n0, _UAK,
    0, () => UpdateAccessKeyRequest$, () => __Unit
];
var UpdateAccountPasswordPolicy$ = [9, n0, _UAPP,
    0, () => UpdateAccountPasswordPolicyRequest$, () => __Unit
];
var UpdateAssumeRolePolicy$ = [9, n0, _UARP,
    0, () => UpdateAssumeRolePolicyRequest$, () => __Unit
];
var UpdateDelegationRequest$ = [9, n0, _UDR,
    0, () => UpdateDelegationRequestRequest$, () => __Unit
];
var UpdateGroup$ = [9, n0, _UG,
    0, () => UpdateGroupRequest$, () => __Unit
];
var UpdateLoginProfile$ = [9, n0, _ULP,
    0, () => UpdateLoginProfileRequest$, () => __Unit
];
var UpdateOpenIDConnectProviderThumbprint$ = [9, n0, _UOIDCPT,
    0, () => UpdateOpenIDConnectProviderThumbprintRequest$, () => __Unit
];
var UpdateRole$ = [9, n0, _URp,
    0, () => UpdateRoleRequest$, () => UpdateRoleResponse$
];
var UpdateRoleDescription$ = [9, n0, _URD,
    0, () => UpdateRoleDescriptionRequest$, () => UpdateRoleDescriptionResponse$
];
var UpdateSAMLProvider$ = [9, n0, _USAMLPp,
    0, () => UpdateSAMLProviderRequest$, () => UpdateSAMLProviderResponse$
];
var UpdateServerCertificate$ = [9, n0, _USCp,
    0, () => UpdateServerCertificateRequest$, () => __Unit
];
var UpdateServiceSpecificCredential$ = [9, n0, _USSC,
    0, () => UpdateServiceSpecificCredentialRequest$, () => __Unit
];
var UpdateSigningCertificate$ = [9, n0, _USCpd,
    0, () => UpdateSigningCertificateRequest$, () => __Unit
];
var UpdateSSHPublicKey$ = [9, n0, _USSHPK,
    0, () => UpdateSSHPublicKeyRequest$, () => __Unit
];
var UpdateUser$ = [9, n0, _UUp,
    0, () => UpdateUserRequest$, () => __Unit
];
var UploadServerCertificate$ = [9, n0, _USCpl,
    0, () => UploadServerCertificateRequest$, () => UploadServerCertificateResponse$
];
var UploadSigningCertificate$ = [9, n0, _USCplo,
    0, () => UploadSigningCertificateRequest$, () => UploadSigningCertificateResponse$
];
var UploadSSHPublicKey$ = [9, n0, _USSHPKp,
    0, () => UploadSSHPublicKeyRequest$, () => UploadSSHPublicKeyResponse$
];

const getRuntimeConfig$1 = (config) => {
    return {
        apiVersion: "2010-05-08",
        base64Decoder: config?.base64Decoder ?? fromBase64,
        base64Encoder: config?.base64Encoder ?? toBase64,
        disableHostPrefix: config?.disableHostPrefix ?? false,
        endpointProvider: config?.endpointProvider ?? defaultEndpointResolver,
        extensions: config?.extensions ?? [],
        httpAuthSchemeProvider: config?.httpAuthSchemeProvider ?? defaultIAMHttpAuthSchemeProvider,
        httpAuthSchemes: config?.httpAuthSchemes ?? [
            {
                schemeId: "aws.auth#sigv4",
                identityProvider: (ipc) => ipc.getIdentityProvider("aws.auth#sigv4"),
                signer: new AwsSdkSigV4Signer(),
            },
        ],
        logger: config?.logger ?? new NoOpLogger(),
        protocol: config?.protocol ?? AwsQueryProtocol,
        protocolSettings: config?.protocolSettings ?? {
            defaultNamespace: "com.amazonaws.iam",
            errorTypeRegistries,
            xmlNamespace: "https://iam.amazonaws.com/doc/2010-05-08/",
            version: "2010-05-08",
            serviceTarget: "AWSIdentityManagementV20100508",
        },
        serviceId: config?.serviceId ?? "IAM",
        sha256: config?.sha256 ?? Sha256,
        urlParser: config?.urlParser ?? parseUrl,
        utf8Decoder: config?.utf8Decoder ?? fromUtf8,
        utf8Encoder: config?.utf8Encoder ?? toUtf8,
    };
};

const getRuntimeConfig = (config) => {
    emitWarningIfUnsupportedVersion(process.version);
    const defaultsMode = resolveDefaultsModeConfig(config);
    const defaultConfigProvider = () => defaultsMode().then(loadConfigsForDefaultMode);
    const clientSharedValues = getRuntimeConfig$1(config);
    emitWarningIfUnsupportedVersion$1(process.version);
    const loaderConfig = {
        profile: config?.profile,
        logger: clientSharedValues.logger,
    };
    return {
        ...clientSharedValues,
        ...config,
        runtime: "node",
        defaultsMode,
        authSchemePreference: config?.authSchemePreference ?? loadConfig(NODE_AUTH_SCHEME_PREFERENCE_OPTIONS, loaderConfig),
        bodyLengthChecker: config?.bodyLengthChecker ?? calculateBodyLength,
        credentialDefaultProvider: config?.credentialDefaultProvider ?? defaultProvider,
        defaultSocketTimeout: getDefaultSocketTimeout(config?.requestHandler, 300_000),
        defaultUserAgentProvider: config?.defaultUserAgentProvider ?? createDefaultUserAgentProvider({ serviceId: clientSharedValues.serviceId, clientVersion: packageInfo.version }),
        maxAttempts: config?.maxAttempts ?? loadConfig(NODE_MAX_ATTEMPT_CONFIG_OPTIONS, config),
        region: config?.region ?? loadConfig(NODE_REGION_CONFIG_OPTIONS, { ...NODE_REGION_CONFIG_FILE_OPTIONS, ...loaderConfig }),
        requestHandler: NodeHttpHandler.create(config?.requestHandler ?? defaultConfigProvider),
        retryMode: config?.retryMode ??
            loadConfig({
                ...NODE_RETRY_MODE_CONFIG_OPTIONS,
                default: async () => (await defaultConfigProvider()).retryMode || DEFAULT_RETRY_MODE,
            }, config),
        streamCollector: config?.streamCollector ?? streamCollector,
        useDualstackEndpoint: config?.useDualstackEndpoint ?? loadConfig(NODE_USE_DUALSTACK_ENDPOINT_CONFIG_OPTIONS, loaderConfig),
        useFipsEndpoint: config?.useFipsEndpoint ?? loadConfig(NODE_USE_FIPS_ENDPOINT_CONFIG_OPTIONS, loaderConfig),
        userAgentAppId: config?.userAgentAppId ?? loadConfig(NODE_APP_ID_CONFIG_OPTIONS, loaderConfig),
    };
};

const getHttpAuthExtensionConfiguration = (runtimeConfig) => {
    const _httpAuthSchemes = runtimeConfig.httpAuthSchemes;
    let _httpAuthSchemeProvider = runtimeConfig.httpAuthSchemeProvider;
    let _credentials = runtimeConfig.credentials;
    return {
        setHttpAuthScheme(httpAuthScheme) {
            const index = _httpAuthSchemes.findIndex((scheme) => scheme.schemeId === httpAuthScheme.schemeId);
            if (index === -1) {
                _httpAuthSchemes.push(httpAuthScheme);
            }
            else {
                _httpAuthSchemes.splice(index, 1, httpAuthScheme);
            }
        },
        httpAuthSchemes() {
            return _httpAuthSchemes;
        },
        setHttpAuthSchemeProvider(httpAuthSchemeProvider) {
            _httpAuthSchemeProvider = httpAuthSchemeProvider;
        },
        httpAuthSchemeProvider() {
            return _httpAuthSchemeProvider;
        },
        setCredentials(credentials) {
            _credentials = credentials;
        },
        credentials() {
            return _credentials;
        },
    };
};
const resolveHttpAuthRuntimeConfig = (config) => {
    return {
        httpAuthSchemes: config.httpAuthSchemes(),
        httpAuthSchemeProvider: config.httpAuthSchemeProvider(),
        credentials: config.credentials(),
    };
};

const resolveRuntimeExtensions = (runtimeConfig, extensions) => {
    const extensionConfiguration = Object.assign(getAwsRegionExtensionConfiguration(runtimeConfig), getDefaultExtensionConfiguration(runtimeConfig), getHttpHandlerExtensionConfiguration(runtimeConfig), getHttpAuthExtensionConfiguration(runtimeConfig));
    extensions.forEach((extension) => extension.configure(extensionConfiguration));
    return Object.assign(runtimeConfig, resolveAwsRegionExtensionConfiguration(extensionConfiguration), resolveDefaultRuntimeConfig(extensionConfiguration), resolveHttpHandlerRuntimeConfig(extensionConfiguration), resolveHttpAuthRuntimeConfig(extensionConfiguration));
};

class IAMClient extends Client {
    config;
    constructor(...[configuration]) {
        const _config_0 = getRuntimeConfig(configuration || {});
        super(_config_0);
        this.initConfig = _config_0;
        const _config_1 = resolveClientEndpointParameters(_config_0);
        const _config_2 = resolveUserAgentConfig(_config_1);
        const _config_3 = resolveRetryConfig(_config_2);
        const _config_4 = resolveRegionConfig(_config_3);
        const _config_5 = resolveHostHeaderConfig(_config_4);
        const _config_6 = resolveEndpointConfig(_config_5);
        const _config_7 = resolveHttpAuthSchemeConfig(_config_6);
        const _config_8 = resolveRuntimeExtensions(_config_7, configuration?.extensions || []);
        this.config = _config_8;
        this.middlewareStack.use(getSchemaSerdePlugin(this.config));
        this.middlewareStack.use(getUserAgentPlugin(this.config));
        this.middlewareStack.use(getRetryPlugin(this.config));
        this.middlewareStack.use(getContentLengthPlugin(this.config));
        this.middlewareStack.use(getHostHeaderPlugin(this.config));
        this.middlewareStack.use(getLoggerPlugin(this.config));
        this.middlewareStack.use(getRecursionDetectionPlugin(this.config));
        this.middlewareStack.use(getHttpAuthSchemeEndpointRuleSetPlugin(this.config, {
            httpAuthSchemeParametersProvider: defaultIAMHttpAuthSchemeParametersProvider,
            identityProviderConfigProvider: async (config) => new DefaultIdentityProviderConfig({
                "aws.auth#sigv4": config.credentials,
            }),
        }));
        this.middlewareStack.use(getHttpSigningPlugin(this.config));
    }
    destroy() {
        super.destroy();
    }
}

const command = makeBuilder(commonParams, "AWSIdentityManagementV20100508", "IAMClient", getEndpointPlugin);
const _ep0 = {};
const _mw0 = (Command, cs, config, o) => [];

class AcceptDelegationRequestCommand extends command(_ep0, _mw0, "AcceptDelegationRequest", AcceptDelegationRequest$) {
}

class AcquireRoleCommand extends command(_ep0, _mw0, "AcquireRole", AcquireRole$) {
}

class AddClientIDToOpenIDConnectProviderCommand extends command(_ep0, _mw0, "AddClientIDToOpenIDConnectProvider", AddClientIDToOpenIDConnectProvider$) {
}

class AddRoleToInstanceProfileCommand extends command(_ep0, _mw0, "AddRoleToInstanceProfile", AddRoleToInstanceProfile$) {
}

class AddUserToGroupCommand extends command(_ep0, _mw0, "AddUserToGroup", AddUserToGroup$) {
}

class AssociateDelegationRequestCommand extends command(_ep0, _mw0, "AssociateDelegationRequest", AssociateDelegationRequest$) {
}

class AttachGroupPolicyCommand extends command(_ep0, _mw0, "AttachGroupPolicy", AttachGroupPolicy$) {
}

class AttachRolePolicyCommand extends command(_ep0, _mw0, "AttachRolePolicy", AttachRolePolicy$) {
}

class AttachUserPolicyCommand extends command(_ep0, _mw0, "AttachUserPolicy", AttachUserPolicy$) {
}

class ChangePasswordCommand extends command(_ep0, _mw0, "ChangePassword", ChangePassword$) {
}

class CreateAccessKeyCommand extends command(_ep0, _mw0, "CreateAccessKey", CreateAccessKey$) {
}

class CreateAccountAliasCommand extends command(_ep0, _mw0, "CreateAccountAlias", CreateAccountAlias$) {
}

class CreateDelegationRequestCommand extends command(_ep0, _mw0, "CreateDelegationRequest", CreateDelegationRequest$) {
}

class CreateGroupCommand extends command(_ep0, _mw0, "CreateGroup", CreateGroup$) {
}

class CreateInstanceProfileCommand extends command(_ep0, _mw0, "CreateInstanceProfile", CreateInstanceProfile$) {
}

class CreateLoginProfileCommand extends command(_ep0, _mw0, "CreateLoginProfile", CreateLoginProfile$) {
}

class CreateOpenIDConnectProviderCommand extends command(_ep0, _mw0, "CreateOpenIDConnectProvider", CreateOpenIDConnectProvider$) {
}

class CreatePolicyCommand extends command(_ep0, _mw0, "CreatePolicy", CreatePolicy$) {
}

class CreatePolicyVersionCommand extends command(_ep0, _mw0, "CreatePolicyVersion", CreatePolicyVersion$) {
}

class CreateRoleCommand extends command(_ep0, _mw0, "CreateRole", CreateRole$) {
}

class CreateSAMLProviderCommand extends command(_ep0, _mw0, "CreateSAMLProvider", CreateSAMLProvider$) {
}

class CreateServiceLinkedRoleCommand extends command(_ep0, _mw0, "CreateServiceLinkedRole", CreateServiceLinkedRole$) {
}

class CreateServiceSpecificCredentialCommand extends command(_ep0, _mw0, "CreateServiceSpecificCredential", CreateServiceSpecificCredential$) {
}

class CreateUserCommand extends command(_ep0, _mw0, "CreateUser", CreateUser$) {
}

class CreateVirtualMFADeviceCommand extends command(_ep0, _mw0, "CreateVirtualMFADevice", CreateVirtualMFADevice$) {
}

class DeactivateMFADeviceCommand extends command(_ep0, _mw0, "DeactivateMFADevice", DeactivateMFADevice$) {
}

class DeleteAccessKeyCommand extends command(_ep0, _mw0, "DeleteAccessKey", DeleteAccessKey$) {
}

class DeleteAccountAliasCommand extends command(_ep0, _mw0, "DeleteAccountAlias", DeleteAccountAlias$) {
}

class DeleteAccountPasswordPolicyCommand extends command(_ep0, _mw0, "DeleteAccountPasswordPolicy", DeleteAccountPasswordPolicy$) {
}

class DeleteGroupCommand extends command(_ep0, _mw0, "DeleteGroup", DeleteGroup$) {
}

class DeleteGroupPolicyCommand extends command(_ep0, _mw0, "DeleteGroupPolicy", DeleteGroupPolicy$) {
}

class DeleteInstanceProfileCommand extends command(_ep0, _mw0, "DeleteInstanceProfile", DeleteInstanceProfile$) {
}

class DeleteLoginProfileCommand extends command(_ep0, _mw0, "DeleteLoginProfile", DeleteLoginProfile$) {
}

class DeleteOpenIDConnectProviderCommand extends command(_ep0, _mw0, "DeleteOpenIDConnectProvider", DeleteOpenIDConnectProvider$) {
}

class DeletePolicyCommand extends command(_ep0, _mw0, "DeletePolicy", DeletePolicy$) {
}

class DeletePolicyVersionCommand extends command(_ep0, _mw0, "DeletePolicyVersion", DeletePolicyVersion$) {
}

class DeleteRoleCommand extends command(_ep0, _mw0, "DeleteRole", DeleteRole$) {
}

class DeleteRolePermissionsBoundaryCommand extends command(_ep0, _mw0, "DeleteRolePermissionsBoundary", DeleteRolePermissionsBoundary$) {
}

class DeleteRolePolicyCommand extends command(_ep0, _mw0, "DeleteRolePolicy", DeleteRolePolicy$) {
}

class DeleteSAMLProviderCommand extends command(_ep0, _mw0, "DeleteSAMLProvider", DeleteSAMLProvider$) {
}

class DeleteServerCertificateCommand extends command(_ep0, _mw0, "DeleteServerCertificate", DeleteServerCertificate$) {
}

class DeleteServiceLinkedRoleCommand extends command(_ep0, _mw0, "DeleteServiceLinkedRole", DeleteServiceLinkedRole$) {
}

class DeleteServiceSpecificCredentialCommand extends command(_ep0, _mw0, "DeleteServiceSpecificCredential", DeleteServiceSpecificCredential$) {
}

class DeleteSigningCertificateCommand extends command(_ep0, _mw0, "DeleteSigningCertificate", DeleteSigningCertificate$) {
}

class DeleteSSHPublicKeyCommand extends command(_ep0, _mw0, "DeleteSSHPublicKey", DeleteSSHPublicKey$) {
}

class DeleteUserCommand extends command(_ep0, _mw0, "DeleteUser", DeleteUser$) {
}

class DeleteUserPermissionsBoundaryCommand extends command(_ep0, _mw0, "DeleteUserPermissionsBoundary", DeleteUserPermissionsBoundary$) {
}

class DeleteUserPolicyCommand extends command(_ep0, _mw0, "DeleteUserPolicy", DeleteUserPolicy$) {
}

class DeleteVirtualMFADeviceCommand extends command(_ep0, _mw0, "DeleteVirtualMFADevice", DeleteVirtualMFADevice$) {
}

class DetachGroupPolicyCommand extends command(_ep0, _mw0, "DetachGroupPolicy", DetachGroupPolicy$) {
}

class DetachRolePolicyCommand extends command(_ep0, _mw0, "DetachRolePolicy", DetachRolePolicy$) {
}

class DetachUserPolicyCommand extends command(_ep0, _mw0, "DetachUserPolicy", DetachUserPolicy$) {
}

class DisableOrganizationsRootCredentialsManagementCommand extends command(_ep0, _mw0, "DisableOrganizationsRootCredentialsManagement", DisableOrganizationsRootCredentialsManagement$) {
}

class DisableOrganizationsRootSessionsCommand extends command(_ep0, _mw0, "DisableOrganizationsRootSessions", DisableOrganizationsRootSessions$) {
}

class DisableOutboundWebIdentityFederationCommand extends command(_ep0, _mw0, "DisableOutboundWebIdentityFederation", DisableOutboundWebIdentityFederation$) {
}

class EnableMFADeviceCommand extends command(_ep0, _mw0, "EnableMFADevice", EnableMFADevice$) {
}

class EnableOrganizationsRootCredentialsManagementCommand extends command(_ep0, _mw0, "EnableOrganizationsRootCredentialsManagement", EnableOrganizationsRootCredentialsManagement$) {
}

class EnableOrganizationsRootSessionsCommand extends command(_ep0, _mw0, "EnableOrganizationsRootSessions", EnableOrganizationsRootSessions$) {
}

class EnableOutboundWebIdentityFederationCommand extends command(_ep0, _mw0, "EnableOutboundWebIdentityFederation", EnableOutboundWebIdentityFederation$) {
}

class GenerateCredentialReportCommand extends command(_ep0, _mw0, "GenerateCredentialReport", GenerateCredentialReport$) {
}

class GenerateOrganizationsAccessReportCommand extends command(_ep0, _mw0, "GenerateOrganizationsAccessReport", GenerateOrganizationsAccessReport$) {
}

class GenerateServiceLastAccessedDetailsCommand extends command(_ep0, _mw0, "GenerateServiceLastAccessedDetails", GenerateServiceLastAccessedDetails$) {
}

class GetAccessKeyLastUsedCommand extends command(_ep0, _mw0, "GetAccessKeyLastUsed", GetAccessKeyLastUsed$) {
}

class GetAccountAuthorizationDetailsCommand extends command(_ep0, _mw0, "GetAccountAuthorizationDetails", GetAccountAuthorizationDetails$) {
}

class GetAccountPasswordPolicyCommand extends command(_ep0, _mw0, "GetAccountPasswordPolicy", GetAccountPasswordPolicy$) {
}

class GetAccountPropertiesCommand extends command(_ep0, _mw0, "GetAccountProperties", GetAccountProperties$) {
}

class GetAccountSummaryCommand extends command(_ep0, _mw0, "GetAccountSummary", GetAccountSummary$) {
}

class GetContextKeysForCustomPolicyCommand extends command(_ep0, _mw0, "GetContextKeysForCustomPolicy", GetContextKeysForCustomPolicy$) {
}

class GetContextKeysForPrincipalPolicyCommand extends command(_ep0, _mw0, "GetContextKeysForPrincipalPolicy", GetContextKeysForPrincipalPolicy$) {
}

class GetCredentialReportCommand extends command(_ep0, _mw0, "GetCredentialReport", GetCredentialReport$) {
}

class GetDelegationRequestCommand extends command(_ep0, _mw0, "GetDelegationRequest", GetDelegationRequest$) {
}

class GetGroupCommand extends command(_ep0, _mw0, "GetGroup", GetGroup$) {
}

class GetGroupPolicyCommand extends command(_ep0, _mw0, "GetGroupPolicy", GetGroupPolicy$) {
}

class GetHumanReadableSummaryCommand extends command(_ep0, _mw0, "GetHumanReadableSummary", GetHumanReadableSummary$) {
}

class GetInstanceProfileCommand extends command(_ep0, _mw0, "GetInstanceProfile", GetInstanceProfile$) {
}

class GetLoginProfileCommand extends command(_ep0, _mw0, "GetLoginProfile", GetLoginProfile$) {
}

class GetMFADeviceCommand extends command(_ep0, _mw0, "GetMFADevice", GetMFADevice$) {
}

class GetOpenIDConnectProviderCommand extends command(_ep0, _mw0, "GetOpenIDConnectProvider", GetOpenIDConnectProvider$) {
}

class GetOrganizationsAccessReportCommand extends command(_ep0, _mw0, "GetOrganizationsAccessReport", GetOrganizationsAccessReport$) {
}

class GetOutboundWebIdentityFederationInfoCommand extends command(_ep0, _mw0, "GetOutboundWebIdentityFederationInfo", GetOutboundWebIdentityFederationInfo$) {
}

class GetPolicyCommand extends command(_ep0, _mw0, "GetPolicy", GetPolicy$) {
}

class GetPolicyVersionCommand extends command(_ep0, _mw0, "GetPolicyVersion", GetPolicyVersion$) {
}

class GetRoleCommand extends command(_ep0, _mw0, "GetRole", GetRole$) {
}

class GetRolePolicyCommand extends command(_ep0, _mw0, "GetRolePolicy", GetRolePolicy$) {
}

class GetRoleTemplateVersionCommand extends command(_ep0, _mw0, "GetRoleTemplateVersion", GetRoleTemplateVersion$) {
}

class GetSAMLProviderCommand extends command(_ep0, _mw0, "GetSAMLProvider", GetSAMLProvider$) {
}

class GetServerCertificateCommand extends command(_ep0, _mw0, "GetServerCertificate", GetServerCertificate$) {
}

class GetServiceLastAccessedDetailsCommand extends command(_ep0, _mw0, "GetServiceLastAccessedDetails", GetServiceLastAccessedDetails$) {
}

class GetServiceLastAccessedDetailsWithEntitiesCommand extends command(_ep0, _mw0, "GetServiceLastAccessedDetailsWithEntities", GetServiceLastAccessedDetailsWithEntities$) {
}

class GetServiceLinkedRoleDeletionStatusCommand extends command(_ep0, _mw0, "GetServiceLinkedRoleDeletionStatus", GetServiceLinkedRoleDeletionStatus$) {
}

class GetSSHPublicKeyCommand extends command(_ep0, _mw0, "GetSSHPublicKey", GetSSHPublicKey$) {
}

class GetUserCommand extends command(_ep0, _mw0, "GetUser", GetUser$) {
}

class GetUserPolicyCommand extends command(_ep0, _mw0, "GetUserPolicy", GetUserPolicy$) {
}

class ListAccessKeysCommand extends command(_ep0, _mw0, "ListAccessKeys", ListAccessKeys$) {
}

class ListAccountAliasesCommand extends command(_ep0, _mw0, "ListAccountAliases", ListAccountAliases$) {
}

class ListAttachedGroupPoliciesCommand extends command(_ep0, _mw0, "ListAttachedGroupPolicies", ListAttachedGroupPolicies$) {
}

class ListAttachedRolePoliciesCommand extends command(_ep0, _mw0, "ListAttachedRolePolicies", ListAttachedRolePolicies$) {
}

class ListAttachedUserPoliciesCommand extends command(_ep0, _mw0, "ListAttachedUserPolicies", ListAttachedUserPolicies$) {
}

class ListDelegationRequestsCommand extends command(_ep0, _mw0, "ListDelegationRequests", ListDelegationRequests$) {
}

class ListEntitiesForPolicyCommand extends command(_ep0, _mw0, "ListEntitiesForPolicy", ListEntitiesForPolicy$) {
}

class ListGroupPoliciesCommand extends command(_ep0, _mw0, "ListGroupPolicies", ListGroupPolicies$) {
}

class ListGroupsCommand extends command(_ep0, _mw0, "ListGroups", ListGroups$) {
}

class ListGroupsForUserCommand extends command(_ep0, _mw0, "ListGroupsForUser", ListGroupsForUser$) {
}

class ListInstanceProfilesCommand extends command(_ep0, _mw0, "ListInstanceProfiles", ListInstanceProfiles$) {
}

class ListInstanceProfilesForRoleCommand extends command(_ep0, _mw0, "ListInstanceProfilesForRole", ListInstanceProfilesForRole$) {
}

class ListInstanceProfileTagsCommand extends command(_ep0, _mw0, "ListInstanceProfileTags", ListInstanceProfileTags$) {
}

class ListMFADevicesCommand extends command(_ep0, _mw0, "ListMFADevices", ListMFADevices$) {
}

class ListMFADeviceTagsCommand extends command(_ep0, _mw0, "ListMFADeviceTags", ListMFADeviceTags$) {
}

class ListOpenIDConnectProvidersCommand extends command(_ep0, _mw0, "ListOpenIDConnectProviders", ListOpenIDConnectProviders$) {
}

class ListOpenIDConnectProviderTagsCommand extends command(_ep0, _mw0, "ListOpenIDConnectProviderTags", ListOpenIDConnectProviderTags$) {
}

class ListOrganizationsFeaturesCommand extends command(_ep0, _mw0, "ListOrganizationsFeatures", ListOrganizationsFeatures$) {
}

class ListPoliciesCommand extends command(_ep0, _mw0, "ListPolicies", ListPolicies$) {
}

class ListPoliciesGrantingServiceAccessCommand extends command(_ep0, _mw0, "ListPoliciesGrantingServiceAccess", ListPoliciesGrantingServiceAccess$) {
}

class ListPolicyTagsCommand extends command(_ep0, _mw0, "ListPolicyTags", ListPolicyTags$) {
}

class ListPolicyVersionsCommand extends command(_ep0, _mw0, "ListPolicyVersions", ListPolicyVersions$) {
}

class ListRolePoliciesCommand extends command(_ep0, _mw0, "ListRolePolicies", ListRolePolicies$) {
}

class ListRolesCommand extends command(_ep0, _mw0, "ListRoles", ListRoles$) {
}

class ListRoleTagsCommand extends command(_ep0, _mw0, "ListRoleTags", ListRoleTags$) {
}

class ListSAMLProvidersCommand extends command(_ep0, _mw0, "ListSAMLProviders", ListSAMLProviders$) {
}

class ListSAMLProviderTagsCommand extends command(_ep0, _mw0, "ListSAMLProviderTags", ListSAMLProviderTags$) {
}

class ListServerCertificatesCommand extends command(_ep0, _mw0, "ListServerCertificates", ListServerCertificates$) {
}

class ListServerCertificateTagsCommand extends command(_ep0, _mw0, "ListServerCertificateTags", ListServerCertificateTags$) {
}

class ListServiceSpecificCredentialsCommand extends command(_ep0, _mw0, "ListServiceSpecificCredentials", ListServiceSpecificCredentials$) {
}

class ListSigningCertificatesCommand extends command(_ep0, _mw0, "ListSigningCertificates", ListSigningCertificates$) {
}

class ListSSHPublicKeysCommand extends command(_ep0, _mw0, "ListSSHPublicKeys", ListSSHPublicKeys$) {
}

class ListUserPoliciesCommand extends command(_ep0, _mw0, "ListUserPolicies", ListUserPolicies$) {
}

class ListUsersCommand extends command(_ep0, _mw0, "ListUsers", ListUsers$) {
}

class ListUserTagsCommand extends command(_ep0, _mw0, "ListUserTags", ListUserTags$) {
}

class ListVirtualMFADevicesCommand extends command(_ep0, _mw0, "ListVirtualMFADevices", ListVirtualMFADevices$) {
}

class PutAccountPropertiesCommand extends command(_ep0, _mw0, "PutAccountProperties", PutAccountProperties$) {
}

class PutGroupPolicyCommand extends command(_ep0, _mw0, "PutGroupPolicy", PutGroupPolicy$) {
}

class PutRolePermissionsBoundaryCommand extends command(_ep0, _mw0, "PutRolePermissionsBoundary", PutRolePermissionsBoundary$) {
}

class PutRolePolicyCommand extends command(_ep0, _mw0, "PutRolePolicy", PutRolePolicy$) {
}

class PutUserPermissionsBoundaryCommand extends command(_ep0, _mw0, "PutUserPermissionsBoundary", PutUserPermissionsBoundary$) {
}

class PutUserPolicyCommand extends command(_ep0, _mw0, "PutUserPolicy", PutUserPolicy$) {
}

class RejectDelegationRequestCommand extends command(_ep0, _mw0, "RejectDelegationRequest", RejectDelegationRequest$) {
}

class RemoveClientIDFromOpenIDConnectProviderCommand extends command(_ep0, _mw0, "RemoveClientIDFromOpenIDConnectProvider", RemoveClientIDFromOpenIDConnectProvider$) {
}

class RemoveRoleFromInstanceProfileCommand extends command(_ep0, _mw0, "RemoveRoleFromInstanceProfile", RemoveRoleFromInstanceProfile$) {
}

class RemoveUserFromGroupCommand extends command(_ep0, _mw0, "RemoveUserFromGroup", RemoveUserFromGroup$) {
}

class ResetServiceSpecificCredentialCommand extends command(_ep0, _mw0, "ResetServiceSpecificCredential", ResetServiceSpecificCredential$) {
}

class ResyncMFADeviceCommand extends command(_ep0, _mw0, "ResyncMFADevice", ResyncMFADevice$) {
}

class SendDelegationTokenCommand extends command(_ep0, _mw0, "SendDelegationToken", SendDelegationToken$) {
}

class SetDefaultPolicyVersionCommand extends command(_ep0, _mw0, "SetDefaultPolicyVersion", SetDefaultPolicyVersion$) {
}

class SetSecurityTokenServicePreferencesCommand extends command(_ep0, _mw0, "SetSecurityTokenServicePreferences", SetSecurityTokenServicePreferences$) {
}

class SimulateCustomPolicyCommand extends command(_ep0, _mw0, "SimulateCustomPolicy", SimulateCustomPolicy$) {
}

class SimulatePrincipalPolicyCommand extends command(_ep0, _mw0, "SimulatePrincipalPolicy", SimulatePrincipalPolicy$) {
}

class TagInstanceProfileCommand extends command(_ep0, _mw0, "TagInstanceProfile", TagInstanceProfile$) {
}

class TagMFADeviceCommand extends command(_ep0, _mw0, "TagMFADevice", TagMFADevice$) {
}

class TagOpenIDConnectProviderCommand extends command(_ep0, _mw0, "TagOpenIDConnectProvider", TagOpenIDConnectProvider$) {
}

class TagPolicyCommand extends command(_ep0, _mw0, "TagPolicy", TagPolicy$) {
}

class TagRoleCommand extends command(_ep0, _mw0, "TagRole", TagRole$) {
}

class TagSAMLProviderCommand extends command(_ep0, _mw0, "TagSAMLProvider", TagSAMLProvider$) {
}

class TagServerCertificateCommand extends command(_ep0, _mw0, "TagServerCertificate", TagServerCertificate$) {
}

class TagUserCommand extends command(_ep0, _mw0, "TagUser", TagUser$) {
}

class UntagInstanceProfileCommand extends command(_ep0, _mw0, "UntagInstanceProfile", UntagInstanceProfile$) {
}

class UntagMFADeviceCommand extends command(_ep0, _mw0, "UntagMFADevice", UntagMFADevice$) {
}

class UntagOpenIDConnectProviderCommand extends command(_ep0, _mw0, "UntagOpenIDConnectProvider", UntagOpenIDConnectProvider$) {
}

class UntagPolicyCommand extends command(_ep0, _mw0, "UntagPolicy", UntagPolicy$) {
}

class UntagRoleCommand extends command(_ep0, _mw0, "UntagRole", UntagRole$) {
}

class UntagSAMLProviderCommand extends command(_ep0, _mw0, "UntagSAMLProvider", UntagSAMLProvider$) {
}

class UntagServerCertificateCommand extends command(_ep0, _mw0, "UntagServerCertificate", UntagServerCertificate$) {
}

class UntagUserCommand extends command(_ep0, _mw0, "UntagUser", UntagUser$) {
}

class UpdateAccessKeyCommand extends command(_ep0, _mw0, "UpdateAccessKey", UpdateAccessKey$) {
}

class UpdateAccountPasswordPolicyCommand extends command(_ep0, _mw0, "UpdateAccountPasswordPolicy", UpdateAccountPasswordPolicy$) {
}

class UpdateAssumeRolePolicyCommand extends command(_ep0, _mw0, "UpdateAssumeRolePolicy", UpdateAssumeRolePolicy$) {
}

class UpdateDelegationRequestCommand extends command(_ep0, _mw0, "UpdateDelegationRequest", UpdateDelegationRequest$) {
}

class UpdateGroupCommand extends command(_ep0, _mw0, "UpdateGroup", UpdateGroup$) {
}

class UpdateLoginProfileCommand extends command(_ep0, _mw0, "UpdateLoginProfile", UpdateLoginProfile$) {
}

class UpdateOpenIDConnectProviderThumbprintCommand extends command(_ep0, _mw0, "UpdateOpenIDConnectProviderThumbprint", UpdateOpenIDConnectProviderThumbprint$) {
}

class UpdateRoleCommand extends command(_ep0, _mw0, "UpdateRole", UpdateRole$) {
}

class UpdateRoleDescriptionCommand extends command(_ep0, _mw0, "UpdateRoleDescription", UpdateRoleDescription$) {
}

class UpdateSAMLProviderCommand extends command(_ep0, _mw0, "UpdateSAMLProvider", UpdateSAMLProvider$) {
}

class UpdateServerCertificateCommand extends command(_ep0, _mw0, "UpdateServerCertificate", UpdateServerCertificate$) {
}

class UpdateServiceSpecificCredentialCommand extends command(_ep0, _mw0, "UpdateServiceSpecificCredential", UpdateServiceSpecificCredential$) {
}

class UpdateSigningCertificateCommand extends command(_ep0, _mw0, "UpdateSigningCertificate", UpdateSigningCertificate$) {
}

class UpdateSSHPublicKeyCommand extends command(_ep0, _mw0, "UpdateSSHPublicKey", UpdateSSHPublicKey$) {
}

class UpdateUserCommand extends command(_ep0, _mw0, "UpdateUser", UpdateUser$) {
}

class UploadServerCertificateCommand extends command(_ep0, _mw0, "UploadServerCertificate", UploadServerCertificate$) {
}

class UploadSigningCertificateCommand extends command(_ep0, _mw0, "UploadSigningCertificate", UploadSigningCertificate$) {
}

class UploadSSHPublicKeyCommand extends command(_ep0, _mw0, "UploadSSHPublicKey", UploadSSHPublicKey$) {
}

const paginateGetAccountAuthorizationDetails = createPaginator(IAMClient, GetAccountAuthorizationDetailsCommand, "Marker", "Marker", "MaxItems");

const paginateGetGroup = createPaginator(IAMClient, GetGroupCommand, "Marker", "Marker", "MaxItems");

const paginateListAccessKeys = createPaginator(IAMClient, ListAccessKeysCommand, "Marker", "Marker", "MaxItems");

const paginateListAccountAliases = createPaginator(IAMClient, ListAccountAliasesCommand, "Marker", "Marker", "MaxItems");

const paginateListAttachedGroupPolicies = createPaginator(IAMClient, ListAttachedGroupPoliciesCommand, "Marker", "Marker", "MaxItems");

const paginateListAttachedRolePolicies = createPaginator(IAMClient, ListAttachedRolePoliciesCommand, "Marker", "Marker", "MaxItems");

const paginateListAttachedUserPolicies = createPaginator(IAMClient, ListAttachedUserPoliciesCommand, "Marker", "Marker", "MaxItems");

const paginateListEntitiesForPolicy = createPaginator(IAMClient, ListEntitiesForPolicyCommand, "Marker", "Marker", "MaxItems");

const paginateListGroupPolicies = createPaginator(IAMClient, ListGroupPoliciesCommand, "Marker", "Marker", "MaxItems");

const paginateListGroupsForUser = createPaginator(IAMClient, ListGroupsForUserCommand, "Marker", "Marker", "MaxItems");

const paginateListGroups = createPaginator(IAMClient, ListGroupsCommand, "Marker", "Marker", "MaxItems");

const paginateListInstanceProfilesForRole = createPaginator(IAMClient, ListInstanceProfilesForRoleCommand, "Marker", "Marker", "MaxItems");

const paginateListInstanceProfiles = createPaginator(IAMClient, ListInstanceProfilesCommand, "Marker", "Marker", "MaxItems");

const paginateListInstanceProfileTags = createPaginator(IAMClient, ListInstanceProfileTagsCommand, "Marker", "Marker", "MaxItems");

const paginateListMFADevices = createPaginator(IAMClient, ListMFADevicesCommand, "Marker", "Marker", "MaxItems");

const paginateListMFADeviceTags = createPaginator(IAMClient, ListMFADeviceTagsCommand, "Marker", "Marker", "MaxItems");

const paginateListOpenIDConnectProviderTags = createPaginator(IAMClient, ListOpenIDConnectProviderTagsCommand, "Marker", "Marker", "MaxItems");

const paginateListPolicies = createPaginator(IAMClient, ListPoliciesCommand, "Marker", "Marker", "MaxItems");

const paginateListPolicyTags = createPaginator(IAMClient, ListPolicyTagsCommand, "Marker", "Marker", "MaxItems");

const paginateListPolicyVersions = createPaginator(IAMClient, ListPolicyVersionsCommand, "Marker", "Marker", "MaxItems");

const paginateListRolePolicies = createPaginator(IAMClient, ListRolePoliciesCommand, "Marker", "Marker", "MaxItems");

const paginateListRoles = createPaginator(IAMClient, ListRolesCommand, "Marker", "Marker", "MaxItems");

const paginateListRoleTags = createPaginator(IAMClient, ListRoleTagsCommand, "Marker", "Marker", "MaxItems");

const paginateListSAMLProviderTags = createPaginator(IAMClient, ListSAMLProviderTagsCommand, "Marker", "Marker", "MaxItems");

const paginateListServerCertificates = createPaginator(IAMClient, ListServerCertificatesCommand, "Marker", "Marker", "MaxItems");

const paginateListServerCertificateTags = createPaginator(IAMClient, ListServerCertificateTagsCommand, "Marker", "Marker", "MaxItems");

const paginateListSigningCertificates = createPaginator(IAMClient, ListSigningCertificatesCommand, "Marker", "Marker", "MaxItems");

const paginateListSSHPublicKeys = createPaginator(IAMClient, ListSSHPublicKeysCommand, "Marker", "Marker", "MaxItems");

const paginateListUserPolicies = createPaginator(IAMClient, ListUserPoliciesCommand, "Marker", "Marker", "MaxItems");

const paginateListUsers = createPaginator(IAMClient, ListUsersCommand, "Marker", "Marker", "MaxItems");

const paginateListUserTags = createPaginator(IAMClient, ListUserTagsCommand, "Marker", "Marker", "MaxItems");

const paginateListVirtualMFADevices = createPaginator(IAMClient, ListVirtualMFADevicesCommand, "Marker", "Marker", "MaxItems");

const paginateSimulateCustomPolicy = createPaginator(IAMClient, SimulateCustomPolicyCommand, "Marker", "Marker", "MaxItems");

const paginateSimulatePrincipalPolicy = createPaginator(IAMClient, SimulatePrincipalPolicyCommand, "Marker", "Marker", "MaxItems");

const checkState$3 = async (client, input) => {
    let reason;
    try {
        let result = await client.send(new GetInstanceProfileCommand(input));
        reason = result;
        return { state: WaiterState.SUCCESS, reason };
    }
    catch (exception) {
        reason = exception;
        if (exception.name === "NoSuchEntityException") {
            return { state: WaiterState.RETRY, reason };
        }
    }
    return { state: WaiterState.RETRY, reason };
};
const waitForInstanceProfileExists = async (params, input) => {
    const serviceDefaults = { minDelay: 1, maxDelay: 120 };
    return createWaiter({ ...serviceDefaults, ...params }, input, checkState$3);
};
const waitUntilInstanceProfileExists = async (params, input) => {
    const serviceDefaults = { minDelay: 1, maxDelay: 120 };
    const result = await createWaiter({ ...serviceDefaults, ...params }, input, checkState$3);
    return checkExceptions(result);
};

const checkState$2 = async (client, input) => {
    let reason;
    try {
        let result = await client.send(new GetPolicyCommand(input));
        reason = result;
        return { state: WaiterState.SUCCESS, reason };
    }
    catch (exception) {
        reason = exception;
        if (exception.name === "NoSuchEntityException") {
            return { state: WaiterState.RETRY, reason };
        }
    }
    return { state: WaiterState.RETRY, reason };
};
const waitForPolicyExists = async (params, input) => {
    const serviceDefaults = { minDelay: 1, maxDelay: 120 };
    return createWaiter({ ...serviceDefaults, ...params }, input, checkState$2);
};
const waitUntilPolicyExists = async (params, input) => {
    const serviceDefaults = { minDelay: 1, maxDelay: 120 };
    const result = await createWaiter({ ...serviceDefaults, ...params }, input, checkState$2);
    return checkExceptions(result);
};

const checkState$1 = async (client, input) => {
    let reason;
    try {
        let result = await client.send(new GetRoleCommand(input));
        reason = result;
        return { state: WaiterState.SUCCESS, reason };
    }
    catch (exception) {
        reason = exception;
        if (exception.name === "NoSuchEntityException") {
            return { state: WaiterState.RETRY, reason };
        }
    }
    return { state: WaiterState.RETRY, reason };
};
const waitForRoleExists = async (params, input) => {
    const serviceDefaults = { minDelay: 1, maxDelay: 120 };
    return createWaiter({ ...serviceDefaults, ...params }, input, checkState$1);
};
const waitUntilRoleExists = async (params, input) => {
    const serviceDefaults = { minDelay: 1, maxDelay: 120 };
    const result = await createWaiter({ ...serviceDefaults, ...params }, input, checkState$1);
    return checkExceptions(result);
};

const checkState = async (client, input) => {
    let reason;
    try {
        let result = await client.send(new GetUserCommand(input));
        reason = result;
        return { state: WaiterState.SUCCESS, reason };
    }
    catch (exception) {
        reason = exception;
        if (exception.name === "NoSuchEntityException") {
            return { state: WaiterState.RETRY, reason };
        }
    }
    return { state: WaiterState.RETRY, reason };
};
const waitForUserExists = async (params, input) => {
    const serviceDefaults = { minDelay: 1, maxDelay: 120 };
    return createWaiter({ ...serviceDefaults, ...params }, input, checkState);
};
const waitUntilUserExists = async (params, input) => {
    const serviceDefaults = { minDelay: 1, maxDelay: 120 };
    const result = await createWaiter({ ...serviceDefaults, ...params }, input, checkState);
    return checkExceptions(result);
};

const commands = {
    AcceptDelegationRequestCommand,
    AcquireRoleCommand,
    AddClientIDToOpenIDConnectProviderCommand,
    AddRoleToInstanceProfileCommand,
    AddUserToGroupCommand,
    AssociateDelegationRequestCommand,
    AttachGroupPolicyCommand,
    AttachRolePolicyCommand,
    AttachUserPolicyCommand,
    ChangePasswordCommand,
    CreateAccessKeyCommand,
    CreateAccountAliasCommand,
    CreateDelegationRequestCommand,
    CreateGroupCommand,
    CreateInstanceProfileCommand,
    CreateLoginProfileCommand,
    CreateOpenIDConnectProviderCommand,
    CreatePolicyCommand,
    CreatePolicyVersionCommand,
    CreateRoleCommand,
    CreateSAMLProviderCommand,
    CreateServiceLinkedRoleCommand,
    CreateServiceSpecificCredentialCommand,
    CreateUserCommand,
    CreateVirtualMFADeviceCommand,
    DeactivateMFADeviceCommand,
    DeleteAccessKeyCommand,
    DeleteAccountAliasCommand,
    DeleteAccountPasswordPolicyCommand,
    DeleteGroupCommand,
    DeleteGroupPolicyCommand,
    DeleteInstanceProfileCommand,
    DeleteLoginProfileCommand,
    DeleteOpenIDConnectProviderCommand,
    DeletePolicyCommand,
    DeletePolicyVersionCommand,
    DeleteRoleCommand,
    DeleteRolePermissionsBoundaryCommand,
    DeleteRolePolicyCommand,
    DeleteSAMLProviderCommand,
    DeleteServerCertificateCommand,
    DeleteServiceLinkedRoleCommand,
    DeleteServiceSpecificCredentialCommand,
    DeleteSigningCertificateCommand,
    DeleteSSHPublicKeyCommand,
    DeleteUserCommand,
    DeleteUserPermissionsBoundaryCommand,
    DeleteUserPolicyCommand,
    DeleteVirtualMFADeviceCommand,
    DetachGroupPolicyCommand,
    DetachRolePolicyCommand,
    DetachUserPolicyCommand,
    DisableOrganizationsRootCredentialsManagementCommand,
    DisableOrganizationsRootSessionsCommand,
    DisableOutboundWebIdentityFederationCommand,
    EnableMFADeviceCommand,
    EnableOrganizationsRootCredentialsManagementCommand,
    EnableOrganizationsRootSessionsCommand,
    EnableOutboundWebIdentityFederationCommand,
    GenerateCredentialReportCommand,
    GenerateOrganizationsAccessReportCommand,
    GenerateServiceLastAccessedDetailsCommand,
    GetAccessKeyLastUsedCommand,
    GetAccountAuthorizationDetailsCommand,
    GetAccountPasswordPolicyCommand,
    GetAccountPropertiesCommand,
    GetAccountSummaryCommand,
    GetContextKeysForCustomPolicyCommand,
    GetContextKeysForPrincipalPolicyCommand,
    GetCredentialReportCommand,
    GetDelegationRequestCommand,
    GetGroupCommand,
    GetGroupPolicyCommand,
    GetHumanReadableSummaryCommand,
    GetInstanceProfileCommand,
    GetLoginProfileCommand,
    GetMFADeviceCommand,
    GetOpenIDConnectProviderCommand,
    GetOrganizationsAccessReportCommand,
    GetOutboundWebIdentityFederationInfoCommand,
    GetPolicyCommand,
    GetPolicyVersionCommand,
    GetRoleCommand,
    GetRolePolicyCommand,
    GetRoleTemplateVersionCommand,
    GetSAMLProviderCommand,
    GetServerCertificateCommand,
    GetServiceLastAccessedDetailsCommand,
    GetServiceLastAccessedDetailsWithEntitiesCommand,
    GetServiceLinkedRoleDeletionStatusCommand,
    GetSSHPublicKeyCommand,
    GetUserCommand,
    GetUserPolicyCommand,
    ListAccessKeysCommand,
    ListAccountAliasesCommand,
    ListAttachedGroupPoliciesCommand,
    ListAttachedRolePoliciesCommand,
    ListAttachedUserPoliciesCommand,
    ListDelegationRequestsCommand,
    ListEntitiesForPolicyCommand,
    ListGroupPoliciesCommand,
    ListGroupsCommand,
    ListGroupsForUserCommand,
    ListInstanceProfilesCommand,
    ListInstanceProfilesForRoleCommand,
    ListInstanceProfileTagsCommand,
    ListMFADevicesCommand,
    ListMFADeviceTagsCommand,
    ListOpenIDConnectProvidersCommand,
    ListOpenIDConnectProviderTagsCommand,
    ListOrganizationsFeaturesCommand,
    ListPoliciesCommand,
    ListPoliciesGrantingServiceAccessCommand,
    ListPolicyTagsCommand,
    ListPolicyVersionsCommand,
    ListRolePoliciesCommand,
    ListRolesCommand,
    ListRoleTagsCommand,
    ListSAMLProvidersCommand,
    ListSAMLProviderTagsCommand,
    ListServerCertificatesCommand,
    ListServerCertificateTagsCommand,
    ListServiceSpecificCredentialsCommand,
    ListSigningCertificatesCommand,
    ListSSHPublicKeysCommand,
    ListUserPoliciesCommand,
    ListUsersCommand,
    ListUserTagsCommand,
    ListVirtualMFADevicesCommand,
    PutAccountPropertiesCommand,
    PutGroupPolicyCommand,
    PutRolePermissionsBoundaryCommand,
    PutRolePolicyCommand,
    PutUserPermissionsBoundaryCommand,
    PutUserPolicyCommand,
    RejectDelegationRequestCommand,
    RemoveClientIDFromOpenIDConnectProviderCommand,
    RemoveRoleFromInstanceProfileCommand,
    RemoveUserFromGroupCommand,
    ResetServiceSpecificCredentialCommand,
    ResyncMFADeviceCommand,
    SendDelegationTokenCommand,
    SetDefaultPolicyVersionCommand,
    SetSecurityTokenServicePreferencesCommand,
    SimulateCustomPolicyCommand,
    SimulatePrincipalPolicyCommand,
    TagInstanceProfileCommand,
    TagMFADeviceCommand,
    TagOpenIDConnectProviderCommand,
    TagPolicyCommand,
    TagRoleCommand,
    TagSAMLProviderCommand,
    TagServerCertificateCommand,
    TagUserCommand,
    UntagInstanceProfileCommand,
    UntagMFADeviceCommand,
    UntagOpenIDConnectProviderCommand,
    UntagPolicyCommand,
    UntagRoleCommand,
    UntagSAMLProviderCommand,
    UntagServerCertificateCommand,
    UntagUserCommand,
    UpdateAccessKeyCommand,
    UpdateAccountPasswordPolicyCommand,
    UpdateAssumeRolePolicyCommand,
    UpdateDelegationRequestCommand,
    UpdateGroupCommand,
    UpdateLoginProfileCommand,
    UpdateOpenIDConnectProviderThumbprintCommand,
    UpdateRoleCommand,
    UpdateRoleDescriptionCommand,
    UpdateSAMLProviderCommand,
    UpdateServerCertificateCommand,
    UpdateServiceSpecificCredentialCommand,
    UpdateSigningCertificateCommand,
    UpdateSSHPublicKeyCommand,
    UpdateUserCommand,
    UploadServerCertificateCommand,
    UploadSigningCertificateCommand,
    UploadSSHPublicKeyCommand,
};
const paginators = {
    paginateGetAccountAuthorizationDetails,
    paginateGetGroup,
    paginateListAccessKeys,
    paginateListAccountAliases,
    paginateListAttachedGroupPolicies,
    paginateListAttachedRolePolicies,
    paginateListAttachedUserPolicies,
    paginateListEntitiesForPolicy,
    paginateListGroupPolicies,
    paginateListGroups,
    paginateListGroupsForUser,
    paginateListInstanceProfiles,
    paginateListInstanceProfilesForRole,
    paginateListInstanceProfileTags,
    paginateListMFADevices,
    paginateListMFADeviceTags,
    paginateListOpenIDConnectProviderTags,
    paginateListPolicies,
    paginateListPolicyTags,
    paginateListPolicyVersions,
    paginateListRolePolicies,
    paginateListRoles,
    paginateListRoleTags,
    paginateListSAMLProviderTags,
    paginateListServerCertificates,
    paginateListServerCertificateTags,
    paginateListSigningCertificates,
    paginateListSSHPublicKeys,
    paginateListUserPolicies,
    paginateListUsers,
    paginateListUserTags,
    paginateListVirtualMFADevices,
    paginateSimulateCustomPolicy,
    paginateSimulatePrincipalPolicy,
};
const waiters = {
    waitUntilInstanceProfileExists,
    waitUntilPolicyExists,
    waitUntilRoleExists,
    waitUntilUserExists,
};
class IAM extends IAMClient {
}
createAggregatedClient(commands, IAM, { paginators, waiters });

const AccessAdvisorUsageGranularityType = {
    ACTION_LEVEL: "ACTION_LEVEL",
    SERVICE_LEVEL: "SERVICE_LEVEL",
};
const StatusType = {
    Active: "Active",
    Expired: "Expired",
    Inactive: "Inactive",
};
const PermissionsBoundaryAttachmentType = {
    Policy: "PermissionsBoundaryPolicy",
};
const AssertionEncryptionModeType = {
    Allowed: "Allowed",
    Required: "Required",
};
const AssignmentStatusType = {
    Any: "Any",
    Assigned: "Assigned",
    Unassigned: "Unassigned",
};
const AttachmentType = {
    GROUP: "group",
    ROLE: "role",
    USER: "user",
};
const PolicyParameterTypeEnum = {
    STRING: "string",
    STRING_LIST: "stringList",
};
const FeatureType = {
    ROOT_CREDENTIALS_MANAGEMENT: "RootCredentialsManagement",
    ROOT_SESSIONS: "RootSessions",
};
const ReportStateType = {
    COMPLETE: "COMPLETE",
    INPROGRESS: "INPROGRESS",
    STARTED: "STARTED",
};
const EntityType = {
    AWSManagedPolicy: "AWSManagedPolicy",
    Group: "Group",
    LocalManagedPolicy: "LocalManagedPolicy",
    Role: "Role",
    User: "User",
};
const SummaryKeyType = {
    AccessKeysPerUserQuota: "AccessKeysPerUserQuota",
    AccountAccessKeysPresent: "AccountAccessKeysPresent",
    AccountMFAEnabled: "AccountMFAEnabled",
    AccountPasswordPresent: "AccountPasswordPresent",
    AccountSigningCertificatesPresent: "AccountSigningCertificatesPresent",
    AssumeRolePolicySizeQuota: "AssumeRolePolicySizeQuota",
    AttachedPoliciesPerGroupQuota: "AttachedPoliciesPerGroupQuota",
    AttachedPoliciesPerRoleQuota: "AttachedPoliciesPerRoleQuota",
    AttachedPoliciesPerUserQuota: "AttachedPoliciesPerUserQuota",
    GlobalEndpointTokenVersion: "GlobalEndpointTokenVersion",
    GroupPolicySizeQuota: "GroupPolicySizeQuota",
    Groups: "Groups",
    GroupsPerUserQuota: "GroupsPerUserQuota",
    GroupsQuota: "GroupsQuota",
    InstanceProfiles: "InstanceProfiles",
    InstanceProfilesQuota: "InstanceProfilesQuota",
    MFADevices: "MFADevices",
    MFADevicesInUse: "MFADevicesInUse",
    Policies: "Policies",
    PoliciesQuota: "PoliciesQuota",
    PolicySizeQuota: "PolicySizeQuota",
    PolicyVersionsInUse: "PolicyVersionsInUse",
    PolicyVersionsInUseQuota: "PolicyVersionsInUseQuota",
    Providers: "Providers",
    RolePolicySizeQuota: "RolePolicySizeQuota",
    Roles: "Roles",
    RolesQuota: "RolesQuota",
    ServerCertificates: "ServerCertificates",
    ServerCertificatesQuota: "ServerCertificatesQuota",
    SigningCertificatesPerUserQuota: "SigningCertificatesPerUserQuota",
    UserPolicySizeQuota: "UserPolicySizeQuota",
    Users: "Users",
    UsersQuota: "UsersQuota",
    VersionsPerPolicyQuota: "VersionsPerPolicyQuota",
};
const ReportFormatType = {
    text_csv: "text/csv",
};
const StateType = {
    ACCEPTED: "ACCEPTED",
    ASSIGNED: "ASSIGNED",
    EXPIRED: "EXPIRED",
    FINALIZED: "FINALIZED",
    PENDING_APPROVAL: "PENDING_APPROVAL",
    REJECTED: "REJECTED",
    UNASSIGNED: "UNASSIGNED",
};
const PermissionCheckResultType = {
    ALLOWED: "ALLOWED",
    DENIED: "DENIED",
    UNSURE: "UNSURE",
};
const PermissionCheckStatusType = {
    COMPLETE: "COMPLETE",
    FAILED: "FAILED",
    IN_PROGRESS: "IN_PROGRESS",
};
const SummaryStateType = {
    AVAILABLE: "AVAILABLE",
    FAILED: "FAILED",
    NOT_AVAILABLE: "NOT_AVAILABLE",
    NOT_SUPPORTED: "NOT_SUPPORTED",
};
const SortKeyType = {
    LAST_AUTHENTICATED_TIME_ASCENDING: "LAST_AUTHENTICATED_TIME_ASCENDING",
    LAST_AUTHENTICATED_TIME_DESCENDING: "LAST_AUTHENTICATED_TIME_DESCENDING",
    SERVICE_NAMESPACE_ASCENDING: "SERVICE_NAMESPACE_ASCENDING",
    SERVICE_NAMESPACE_DESCENDING: "SERVICE_NAMESPACE_DESCENDING",
};
const JobStatusType = {
    COMPLETED: "COMPLETED",
    FAILED: "FAILED",
    IN_PROGRESS: "IN_PROGRESS",
};
const ManagedByTypeType = {
    Service: "Service",
};
const ParameterTypeType = {
    Arn: "Arn",
    ArnList: "ArnList",
    Number: "Number",
    NumberList: "NumberList",
    String: "String",
    StringList: "StringList",
};
const PolicyOwnerEntityType = {
    GROUP: "GROUP",
    ROLE: "ROLE",
    USER: "USER",
};
const DeletionTaskStatusType = {
    FAILED: "FAILED",
    IN_PROGRESS: "IN_PROGRESS",
    NOT_STARTED: "NOT_STARTED",
    SUCCEEDED: "SUCCEEDED",
};
const EncodingType = {
    PEM: "PEM",
    SSH: "SSH",
};
const PolicyUsageType = {
    PermissionsBoundary: "PermissionsBoundary",
    PermissionsPolicy: "PermissionsPolicy",
};
const PolicyScopeType = {
    AWS: "AWS",
    All: "All",
    Local: "Local",
};
const PolicyType = {
    INLINE: "INLINE",
    MANAGED: "MANAGED",
};
const GlobalEndpointTokenVersion = {
    v1Token: "v1Token",
    v2Token: "v2Token",
};
const ContextKeyTypeEnum = {
    BINARY: "binary",
    BINARY_LIST: "binaryList",
    BOOLEAN: "boolean",
    BOOLEAN_LIST: "booleanList",
    DATE: "date",
    DATE_LIST: "dateList",
    IP: "ip",
    IP_LIST: "ipList",
    NUMERIC: "numeric",
    NUMERIC_LIST: "numericList",
    STRING: "string",
    STRING_LIST: "stringList",
};
const PolicyEvaluationDecisionType = {
    ALLOWED: "allowed",
    EXPLICIT_DENY: "explicitDeny",
    IMPLICIT_DENY: "implicitDeny",
};
const PolicySourceType = {
    AWS_MANAGED: "aws-managed",
    GROUP: "group",
    NONE: "none",
    RESOURCE: "resource",
    ROLE: "role",
    USER: "user",
    USER_MANAGED: "user-managed",
};
const PolicyIdentifierPolicyType = {
    AWS_MANAGED: "aws-managed",
    INLINE: "inline",
    PERMISSION_BOUNDARY: "permission-boundary",
    RCP: "rcp",
    SCP: "scp",
    USER_MANAGED: "user-managed",
};

__webpack_unused_export__ = AcceptDelegationRequest$;
__webpack_unused_export__ = AcceptDelegationRequestCommand;
__webpack_unused_export__ = AcceptDelegationRequestRequest$;
__webpack_unused_export__ = AccessAdvisorUsageGranularityType;
__webpack_unused_export__ = AccessDetail$;
__webpack_unused_export__ = AccessKey$;
__webpack_unused_export__ = AccessKeyLastUsed$;
__webpack_unused_export__ = AccessKeyMetadata$;
__webpack_unused_export__ = AccountNotManagementOrDelegatedAdministratorException;
__webpack_unused_export__ = AccountNotManagementOrDelegatedAdministratorException$;
__webpack_unused_export__ = AcquireRole$;
__webpack_unused_export__ = AcquireRoleCommand;
__webpack_unused_export__ = AcquireRoleRequest$;
__webpack_unused_export__ = AcquireRoleResponse$;
__webpack_unused_export__ = AddClientIDToOpenIDConnectProvider$;
__webpack_unused_export__ = AddClientIDToOpenIDConnectProviderCommand;
__webpack_unused_export__ = AddClientIDToOpenIDConnectProviderRequest$;
__webpack_unused_export__ = AddRoleToInstanceProfile$;
__webpack_unused_export__ = AddRoleToInstanceProfileCommand;
__webpack_unused_export__ = AddRoleToInstanceProfileRequest$;
__webpack_unused_export__ = AddUserToGroup$;
__webpack_unused_export__ = AddUserToGroupCommand;
__webpack_unused_export__ = AddUserToGroupRequest$;
__webpack_unused_export__ = AssertionEncryptionModeType;
__webpack_unused_export__ = AssignmentStatusType;
__webpack_unused_export__ = AssociateDelegationRequest$;
__webpack_unused_export__ = AssociateDelegationRequestCommand;
__webpack_unused_export__ = AssociateDelegationRequestRequest$;
__webpack_unused_export__ = AttachGroupPolicy$;
__webpack_unused_export__ = AttachGroupPolicyCommand;
__webpack_unused_export__ = AttachGroupPolicyRequest$;
__webpack_unused_export__ = AttachRolePolicy$;
__webpack_unused_export__ = AttachRolePolicyCommand;
__webpack_unused_export__ = AttachRolePolicyRequest$;
__webpack_unused_export__ = AttachUserPolicy$;
__webpack_unused_export__ = AttachUserPolicyCommand;
__webpack_unused_export__ = AttachUserPolicyRequest$;
__webpack_unused_export__ = AttachedPermissionsBoundary$;
__webpack_unused_export__ = AttachedPolicy$;
__webpack_unused_export__ = AttachmentType;
__webpack_unused_export__ = CallerIsNotManagementAccountException;
__webpack_unused_export__ = CallerIsNotManagementAccountException$;
__webpack_unused_export__ = ChangePassword$;
__webpack_unused_export__ = ChangePasswordCommand;
__webpack_unused_export__ = ChangePasswordRequest$;
__webpack_unused_export__ = ConcurrentModificationException;
__webpack_unused_export__ = ConcurrentModificationException$;
__webpack_unused_export__ = ContextEntry$;
__webpack_unused_export__ = ContextKeyTypeEnum;
__webpack_unused_export__ = CreateAccessKey$;
__webpack_unused_export__ = CreateAccessKeyCommand;
__webpack_unused_export__ = CreateAccessKeyRequest$;
__webpack_unused_export__ = CreateAccessKeyResponse$;
__webpack_unused_export__ = CreateAccountAlias$;
__webpack_unused_export__ = CreateAccountAliasCommand;
__webpack_unused_export__ = CreateAccountAliasRequest$;
__webpack_unused_export__ = CreateDelegationRequest$;
__webpack_unused_export__ = CreateDelegationRequestCommand;
__webpack_unused_export__ = CreateDelegationRequestRequest$;
__webpack_unused_export__ = CreateDelegationRequestResponse$;
__webpack_unused_export__ = CreateGroup$;
__webpack_unused_export__ = CreateGroupCommand;
__webpack_unused_export__ = CreateGroupRequest$;
__webpack_unused_export__ = CreateGroupResponse$;
__webpack_unused_export__ = CreateInstanceProfile$;
__webpack_unused_export__ = CreateInstanceProfileCommand;
__webpack_unused_export__ = CreateInstanceProfileRequest$;
__webpack_unused_export__ = CreateInstanceProfileResponse$;
__webpack_unused_export__ = CreateLoginProfile$;
__webpack_unused_export__ = CreateLoginProfileCommand;
__webpack_unused_export__ = CreateLoginProfileRequest$;
__webpack_unused_export__ = CreateLoginProfileResponse$;
__webpack_unused_export__ = CreateOpenIDConnectProvider$;
__webpack_unused_export__ = CreateOpenIDConnectProviderCommand;
__webpack_unused_export__ = CreateOpenIDConnectProviderRequest$;
__webpack_unused_export__ = CreateOpenIDConnectProviderResponse$;
__webpack_unused_export__ = CreatePolicy$;
__webpack_unused_export__ = CreatePolicyCommand;
__webpack_unused_export__ = CreatePolicyRequest$;
__webpack_unused_export__ = CreatePolicyResponse$;
__webpack_unused_export__ = CreatePolicyVersion$;
__webpack_unused_export__ = CreatePolicyVersionCommand;
__webpack_unused_export__ = CreatePolicyVersionRequest$;
__webpack_unused_export__ = CreatePolicyVersionResponse$;
__webpack_unused_export__ = CreateRole$;
__webpack_unused_export__ = CreateRoleCommand;
__webpack_unused_export__ = CreateRoleRequest$;
__webpack_unused_export__ = CreateRoleResponse$;
__webpack_unused_export__ = CreateSAMLProvider$;
__webpack_unused_export__ = CreateSAMLProviderCommand;
__webpack_unused_export__ = CreateSAMLProviderRequest$;
__webpack_unused_export__ = CreateSAMLProviderResponse$;
__webpack_unused_export__ = CreateServiceLinkedRole$;
__webpack_unused_export__ = CreateServiceLinkedRoleCommand;
__webpack_unused_export__ = CreateServiceLinkedRoleRequest$;
__webpack_unused_export__ = CreateServiceLinkedRoleResponse$;
__webpack_unused_export__ = CreateServiceSpecificCredential$;
__webpack_unused_export__ = CreateServiceSpecificCredentialCommand;
__webpack_unused_export__ = CreateServiceSpecificCredentialRequest$;
__webpack_unused_export__ = CreateServiceSpecificCredentialResponse$;
__webpack_unused_export__ = CreateUser$;
__webpack_unused_export__ = CreateUserCommand;
__webpack_unused_export__ = CreateUserRequest$;
__webpack_unused_export__ = CreateUserResponse$;
__webpack_unused_export__ = CreateVirtualMFADevice$;
__webpack_unused_export__ = CreateVirtualMFADeviceCommand;
__webpack_unused_export__ = CreateVirtualMFADeviceRequest$;
__webpack_unused_export__ = CreateVirtualMFADeviceResponse$;
__webpack_unused_export__ = CredentialReportExpiredException;
__webpack_unused_export__ = CredentialReportExpiredException$;
__webpack_unused_export__ = CredentialReportNotPresentException;
__webpack_unused_export__ = CredentialReportNotPresentException$;
__webpack_unused_export__ = CredentialReportNotReadyException;
__webpack_unused_export__ = CredentialReportNotReadyException$;
__webpack_unused_export__ = DeactivateMFADevice$;
__webpack_unused_export__ = DeactivateMFADeviceCommand;
__webpack_unused_export__ = DeactivateMFADeviceRequest$;
__webpack_unused_export__ = DelegationPermission$;
__webpack_unused_export__ = DelegationRequest$;
__webpack_unused_export__ = DeleteAccessKey$;
__webpack_unused_export__ = DeleteAccessKeyCommand;
__webpack_unused_export__ = DeleteAccessKeyRequest$;
__webpack_unused_export__ = DeleteAccountAlias$;
__webpack_unused_export__ = DeleteAccountAliasCommand;
__webpack_unused_export__ = DeleteAccountAliasRequest$;
__webpack_unused_export__ = DeleteAccountPasswordPolicy$;
__webpack_unused_export__ = DeleteAccountPasswordPolicyCommand;
__webpack_unused_export__ = DeleteConflictException;
__webpack_unused_export__ = DeleteConflictException$;
__webpack_unused_export__ = DeleteGroup$;
__webpack_unused_export__ = DeleteGroupCommand;
__webpack_unused_export__ = DeleteGroupPolicy$;
__webpack_unused_export__ = DeleteGroupPolicyCommand;
__webpack_unused_export__ = DeleteGroupPolicyRequest$;
__webpack_unused_export__ = DeleteGroupRequest$;
__webpack_unused_export__ = DeleteInstanceProfile$;
__webpack_unused_export__ = DeleteInstanceProfileCommand;
__webpack_unused_export__ = DeleteInstanceProfileRequest$;
__webpack_unused_export__ = DeleteLoginProfile$;
__webpack_unused_export__ = DeleteLoginProfileCommand;
__webpack_unused_export__ = DeleteLoginProfileRequest$;
__webpack_unused_export__ = DeleteOpenIDConnectProvider$;
__webpack_unused_export__ = DeleteOpenIDConnectProviderCommand;
__webpack_unused_export__ = DeleteOpenIDConnectProviderRequest$;
__webpack_unused_export__ = DeletePolicy$;
__webpack_unused_export__ = DeletePolicyCommand;
__webpack_unused_export__ = DeletePolicyRequest$;
__webpack_unused_export__ = DeletePolicyVersion$;
__webpack_unused_export__ = DeletePolicyVersionCommand;
__webpack_unused_export__ = DeletePolicyVersionRequest$;
__webpack_unused_export__ = DeleteRole$;
__webpack_unused_export__ = DeleteRoleCommand;
__webpack_unused_export__ = DeleteRolePermissionsBoundary$;
__webpack_unused_export__ = DeleteRolePermissionsBoundaryCommand;
__webpack_unused_export__ = DeleteRolePermissionsBoundaryRequest$;
__webpack_unused_export__ = DeleteRolePolicy$;
__webpack_unused_export__ = DeleteRolePolicyCommand;
__webpack_unused_export__ = DeleteRolePolicyRequest$;
__webpack_unused_export__ = DeleteRoleRequest$;
__webpack_unused_export__ = DeleteSAMLProvider$;
__webpack_unused_export__ = DeleteSAMLProviderCommand;
__webpack_unused_export__ = DeleteSAMLProviderRequest$;
__webpack_unused_export__ = DeleteSSHPublicKey$;
__webpack_unused_export__ = DeleteSSHPublicKeyCommand;
__webpack_unused_export__ = DeleteSSHPublicKeyRequest$;
__webpack_unused_export__ = DeleteServerCertificate$;
__webpack_unused_export__ = DeleteServerCertificateCommand;
__webpack_unused_export__ = DeleteServerCertificateRequest$;
__webpack_unused_export__ = DeleteServiceLinkedRole$;
__webpack_unused_export__ = DeleteServiceLinkedRoleCommand;
__webpack_unused_export__ = DeleteServiceLinkedRoleRequest$;
__webpack_unused_export__ = DeleteServiceLinkedRoleResponse$;
__webpack_unused_export__ = DeleteServiceSpecificCredential$;
__webpack_unused_export__ = DeleteServiceSpecificCredentialCommand;
__webpack_unused_export__ = DeleteServiceSpecificCredentialRequest$;
__webpack_unused_export__ = DeleteSigningCertificate$;
__webpack_unused_export__ = DeleteSigningCertificateCommand;
__webpack_unused_export__ = DeleteSigningCertificateRequest$;
__webpack_unused_export__ = DeleteUser$;
__webpack_unused_export__ = DeleteUserCommand;
__webpack_unused_export__ = DeleteUserPermissionsBoundary$;
__webpack_unused_export__ = DeleteUserPermissionsBoundaryCommand;
__webpack_unused_export__ = DeleteUserPermissionsBoundaryRequest$;
__webpack_unused_export__ = DeleteUserPolicy$;
__webpack_unused_export__ = DeleteUserPolicyCommand;
__webpack_unused_export__ = DeleteUserPolicyRequest$;
__webpack_unused_export__ = DeleteUserRequest$;
__webpack_unused_export__ = DeleteVirtualMFADevice$;
__webpack_unused_export__ = DeleteVirtualMFADeviceCommand;
__webpack_unused_export__ = DeleteVirtualMFADeviceRequest$;
__webpack_unused_export__ = DeletionTaskFailureReasonType$;
__webpack_unused_export__ = DeletionTaskStatusType;
__webpack_unused_export__ = DetachGroupPolicy$;
__webpack_unused_export__ = DetachGroupPolicyCommand;
__webpack_unused_export__ = DetachGroupPolicyRequest$;
__webpack_unused_export__ = DetachRolePolicy$;
__webpack_unused_export__ = DetachRolePolicyCommand;
__webpack_unused_export__ = DetachRolePolicyRequest$;
__webpack_unused_export__ = DetachUserPolicy$;
__webpack_unused_export__ = DetachUserPolicyCommand;
__webpack_unused_export__ = DetachUserPolicyRequest$;
__webpack_unused_export__ = DisableOrganizationsRootCredentialsManagement$;
__webpack_unused_export__ = DisableOrganizationsRootCredentialsManagementCommand;
__webpack_unused_export__ = DisableOrganizationsRootCredentialsManagementRequest$;
__webpack_unused_export__ = DisableOrganizationsRootCredentialsManagementResponse$;
__webpack_unused_export__ = DisableOrganizationsRootSessions$;
__webpack_unused_export__ = DisableOrganizationsRootSessionsCommand;
__webpack_unused_export__ = DisableOrganizationsRootSessionsRequest$;
__webpack_unused_export__ = DisableOrganizationsRootSessionsResponse$;
__webpack_unused_export__ = DisableOutboundWebIdentityFederation$;
__webpack_unused_export__ = DisableOutboundWebIdentityFederationCommand;
__webpack_unused_export__ = DuplicateCertificateException;
__webpack_unused_export__ = DuplicateCertificateException$;
__webpack_unused_export__ = DuplicateSSHPublicKeyException;
__webpack_unused_export__ = DuplicateSSHPublicKeyException$;
__webpack_unused_export__ = EnableMFADevice$;
__webpack_unused_export__ = EnableMFADeviceCommand;
__webpack_unused_export__ = EnableMFADeviceRequest$;
__webpack_unused_export__ = EnableOrganizationsRootCredentialsManagement$;
__webpack_unused_export__ = EnableOrganizationsRootCredentialsManagementCommand;
__webpack_unused_export__ = EnableOrganizationsRootCredentialsManagementRequest$;
__webpack_unused_export__ = EnableOrganizationsRootCredentialsManagementResponse$;
__webpack_unused_export__ = EnableOrganizationsRootSessions$;
__webpack_unused_export__ = EnableOrganizationsRootSessionsCommand;
__webpack_unused_export__ = EnableOrganizationsRootSessionsRequest$;
__webpack_unused_export__ = EnableOrganizationsRootSessionsResponse$;
__webpack_unused_export__ = EnableOutboundWebIdentityFederation$;
__webpack_unused_export__ = EnableOutboundWebIdentityFederationCommand;
__webpack_unused_export__ = EnableOutboundWebIdentityFederationResponse$;
__webpack_unused_export__ = EncodingType;
__webpack_unused_export__ = EntityAlreadyExistsException;
__webpack_unused_export__ = EntityAlreadyExistsException$;
__webpack_unused_export__ = EntityDetails$;
__webpack_unused_export__ = EntityInfo$;
__webpack_unused_export__ = EntityTemporarilyUnmodifiableException;
__webpack_unused_export__ = EntityTemporarilyUnmodifiableException$;
__webpack_unused_export__ = EntityType;
__webpack_unused_export__ = ErrorDetails$;
__webpack_unused_export__ = EvaluationResult$;
__webpack_unused_export__ = FeatureDisabledException;
__webpack_unused_export__ = FeatureDisabledException$;
__webpack_unused_export__ = FeatureEnabledException;
__webpack_unused_export__ = FeatureEnabledException$;
__webpack_unused_export__ = FeatureType;
__webpack_unused_export__ = GenerateCredentialReport$;
__webpack_unused_export__ = GenerateCredentialReportCommand;
__webpack_unused_export__ = GenerateCredentialReportResponse$;
__webpack_unused_export__ = GenerateOrganizationsAccessReport$;
__webpack_unused_export__ = GenerateOrganizationsAccessReportCommand;
__webpack_unused_export__ = GenerateOrganizationsAccessReportRequest$;
__webpack_unused_export__ = GenerateOrganizationsAccessReportResponse$;
__webpack_unused_export__ = GenerateServiceLastAccessedDetails$;
__webpack_unused_export__ = GenerateServiceLastAccessedDetailsCommand;
__webpack_unused_export__ = GenerateServiceLastAccessedDetailsRequest$;
__webpack_unused_export__ = GenerateServiceLastAccessedDetailsResponse$;
__webpack_unused_export__ = GetAccessKeyLastUsed$;
__webpack_unused_export__ = GetAccessKeyLastUsedCommand;
__webpack_unused_export__ = GetAccessKeyLastUsedRequest$;
__webpack_unused_export__ = GetAccessKeyLastUsedResponse$;
__webpack_unused_export__ = GetAccountAuthorizationDetails$;
__webpack_unused_export__ = GetAccountAuthorizationDetailsCommand;
__webpack_unused_export__ = GetAccountAuthorizationDetailsRequest$;
__webpack_unused_export__ = GetAccountAuthorizationDetailsResponse$;
__webpack_unused_export__ = GetAccountPasswordPolicy$;
__webpack_unused_export__ = GetAccountPasswordPolicyCommand;
__webpack_unused_export__ = GetAccountPasswordPolicyResponse$;
__webpack_unused_export__ = GetAccountProperties$;
__webpack_unused_export__ = GetAccountPropertiesCommand;
__webpack_unused_export__ = GetAccountPropertiesRequest$;
__webpack_unused_export__ = GetAccountPropertiesResponse$;
__webpack_unused_export__ = GetAccountSummary$;
__webpack_unused_export__ = GetAccountSummaryCommand;
__webpack_unused_export__ = GetAccountSummaryResponse$;
__webpack_unused_export__ = GetContextKeysForCustomPolicy$;
__webpack_unused_export__ = GetContextKeysForCustomPolicyCommand;
__webpack_unused_export__ = GetContextKeysForCustomPolicyRequest$;
__webpack_unused_export__ = GetContextKeysForPolicyResponse$;
__webpack_unused_export__ = GetContextKeysForPrincipalPolicy$;
__webpack_unused_export__ = GetContextKeysForPrincipalPolicyCommand;
__webpack_unused_export__ = GetContextKeysForPrincipalPolicyRequest$;
__webpack_unused_export__ = GetCredentialReport$;
__webpack_unused_export__ = GetCredentialReportCommand;
__webpack_unused_export__ = GetCredentialReportResponse$;
__webpack_unused_export__ = GetDelegationRequest$;
__webpack_unused_export__ = GetDelegationRequestCommand;
__webpack_unused_export__ = GetDelegationRequestRequest$;
__webpack_unused_export__ = GetDelegationRequestResponse$;
__webpack_unused_export__ = GetGroup$;
__webpack_unused_export__ = GetGroupCommand;
__webpack_unused_export__ = GetGroupPolicy$;
__webpack_unused_export__ = GetGroupPolicyCommand;
__webpack_unused_export__ = GetGroupPolicyRequest$;
__webpack_unused_export__ = GetGroupPolicyResponse$;
__webpack_unused_export__ = GetGroupRequest$;
__webpack_unused_export__ = GetGroupResponse$;
__webpack_unused_export__ = GetHumanReadableSummary$;
__webpack_unused_export__ = GetHumanReadableSummaryCommand;
__webpack_unused_export__ = GetHumanReadableSummaryRequest$;
__webpack_unused_export__ = GetHumanReadableSummaryResponse$;
__webpack_unused_export__ = GetInstanceProfile$;
__webpack_unused_export__ = GetInstanceProfileCommand;
__webpack_unused_export__ = GetInstanceProfileRequest$;
__webpack_unused_export__ = GetInstanceProfileResponse$;
__webpack_unused_export__ = GetLoginProfile$;
__webpack_unused_export__ = GetLoginProfileCommand;
__webpack_unused_export__ = GetLoginProfileRequest$;
__webpack_unused_export__ = GetLoginProfileResponse$;
__webpack_unused_export__ = GetMFADevice$;
__webpack_unused_export__ = GetMFADeviceCommand;
__webpack_unused_export__ = GetMFADeviceRequest$;
__webpack_unused_export__ = GetMFADeviceResponse$;
__webpack_unused_export__ = GetOpenIDConnectProvider$;
__webpack_unused_export__ = GetOpenIDConnectProviderCommand;
__webpack_unused_export__ = GetOpenIDConnectProviderRequest$;
__webpack_unused_export__ = GetOpenIDConnectProviderResponse$;
__webpack_unused_export__ = GetOrganizationsAccessReport$;
__webpack_unused_export__ = GetOrganizationsAccessReportCommand;
__webpack_unused_export__ = GetOrganizationsAccessReportRequest$;
__webpack_unused_export__ = GetOrganizationsAccessReportResponse$;
__webpack_unused_export__ = GetOutboundWebIdentityFederationInfo$;
__webpack_unused_export__ = GetOutboundWebIdentityFederationInfoCommand;
__webpack_unused_export__ = GetOutboundWebIdentityFederationInfoResponse$;
__webpack_unused_export__ = GetPolicy$;
__webpack_unused_export__ = GetPolicyCommand;
__webpack_unused_export__ = GetPolicyRequest$;
__webpack_unused_export__ = GetPolicyResponse$;
__webpack_unused_export__ = GetPolicyVersion$;
__webpack_unused_export__ = GetPolicyVersionCommand;
__webpack_unused_export__ = GetPolicyVersionRequest$;
__webpack_unused_export__ = GetPolicyVersionResponse$;
__webpack_unused_export__ = GetRole$;
__webpack_unused_export__ = GetRoleCommand;
__webpack_unused_export__ = GetRolePolicy$;
__webpack_unused_export__ = GetRolePolicyCommand;
__webpack_unused_export__ = GetRolePolicyRequest$;
__webpack_unused_export__ = GetRolePolicyResponse$;
__webpack_unused_export__ = GetRoleRequest$;
__webpack_unused_export__ = GetRoleResponse$;
__webpack_unused_export__ = GetRoleTemplateVersion$;
__webpack_unused_export__ = GetRoleTemplateVersionCommand;
__webpack_unused_export__ = GetRoleTemplateVersionRequest$;
__webpack_unused_export__ = GetRoleTemplateVersionResponse$;
__webpack_unused_export__ = GetSAMLProvider$;
__webpack_unused_export__ = GetSAMLProviderCommand;
__webpack_unused_export__ = GetSAMLProviderRequest$;
__webpack_unused_export__ = GetSAMLProviderResponse$;
__webpack_unused_export__ = GetSSHPublicKey$;
__webpack_unused_export__ = GetSSHPublicKeyCommand;
__webpack_unused_export__ = GetSSHPublicKeyRequest$;
__webpack_unused_export__ = GetSSHPublicKeyResponse$;
__webpack_unused_export__ = GetServerCertificate$;
__webpack_unused_export__ = GetServerCertificateCommand;
__webpack_unused_export__ = GetServerCertificateRequest$;
__webpack_unused_export__ = GetServerCertificateResponse$;
__webpack_unused_export__ = GetServiceLastAccessedDetails$;
__webpack_unused_export__ = GetServiceLastAccessedDetailsCommand;
__webpack_unused_export__ = GetServiceLastAccessedDetailsRequest$;
__webpack_unused_export__ = GetServiceLastAccessedDetailsResponse$;
__webpack_unused_export__ = GetServiceLastAccessedDetailsWithEntities$;
__webpack_unused_export__ = GetServiceLastAccessedDetailsWithEntitiesCommand;
__webpack_unused_export__ = GetServiceLastAccessedDetailsWithEntitiesRequest$;
__webpack_unused_export__ = GetServiceLastAccessedDetailsWithEntitiesResponse$;
__webpack_unused_export__ = GetServiceLinkedRoleDeletionStatus$;
__webpack_unused_export__ = GetServiceLinkedRoleDeletionStatusCommand;
__webpack_unused_export__ = GetServiceLinkedRoleDeletionStatusRequest$;
__webpack_unused_export__ = GetServiceLinkedRoleDeletionStatusResponse$;
__webpack_unused_export__ = GetUser$;
__webpack_unused_export__ = GetUserCommand;
__webpack_unused_export__ = GetUserPolicy$;
__webpack_unused_export__ = GetUserPolicyCommand;
__webpack_unused_export__ = GetUserPolicyRequest$;
__webpack_unused_export__ = GetUserPolicyResponse$;
__webpack_unused_export__ = GetUserRequest$;
__webpack_unused_export__ = GetUserResponse$;
__webpack_unused_export__ = GlobalEndpointTokenVersion;
__webpack_unused_export__ = Group$;
__webpack_unused_export__ = GroupDetail$;
__webpack_unused_export__ = IAM;
exports.h8v = IAMClient;
__webpack_unused_export__ = IAMServiceException;
__webpack_unused_export__ = IAMServiceException$;
__webpack_unused_export__ = InlinePolicy$;
__webpack_unused_export__ = InlinePolicyIdentifierType$;
__webpack_unused_export__ = InstanceProfile$;
__webpack_unused_export__ = InvalidAuthenticationCodeException;
__webpack_unused_export__ = InvalidAuthenticationCodeException$;
__webpack_unused_export__ = InvalidCertificateException;
__webpack_unused_export__ = InvalidCertificateException$;
__webpack_unused_export__ = InvalidInputException;
__webpack_unused_export__ = InvalidInputException$;
__webpack_unused_export__ = InvalidPublicKeyException;
__webpack_unused_export__ = InvalidPublicKeyException$;
__webpack_unused_export__ = InvalidUserTypeException;
__webpack_unused_export__ = InvalidUserTypeException$;
__webpack_unused_export__ = JobStatusType;
__webpack_unused_export__ = KeyPairMismatchException;
__webpack_unused_export__ = KeyPairMismatchException$;
__webpack_unused_export__ = LimitExceededException;
__webpack_unused_export__ = LimitExceededException$;
__webpack_unused_export__ = ListAccessKeys$;
__webpack_unused_export__ = ListAccessKeysCommand;
__webpack_unused_export__ = ListAccessKeysRequest$;
__webpack_unused_export__ = ListAccessKeysResponse$;
__webpack_unused_export__ = ListAccountAliases$;
__webpack_unused_export__ = ListAccountAliasesCommand;
__webpack_unused_export__ = ListAccountAliasesRequest$;
__webpack_unused_export__ = ListAccountAliasesResponse$;
__webpack_unused_export__ = ListAttachedGroupPolicies$;
__webpack_unused_export__ = ListAttachedGroupPoliciesCommand;
__webpack_unused_export__ = ListAttachedGroupPoliciesRequest$;
__webpack_unused_export__ = ListAttachedGroupPoliciesResponse$;
__webpack_unused_export__ = ListAttachedRolePolicies$;
__webpack_unused_export__ = ListAttachedRolePoliciesCommand;
__webpack_unused_export__ = ListAttachedRolePoliciesRequest$;
__webpack_unused_export__ = ListAttachedRolePoliciesResponse$;
__webpack_unused_export__ = ListAttachedUserPolicies$;
__webpack_unused_export__ = ListAttachedUserPoliciesCommand;
__webpack_unused_export__ = ListAttachedUserPoliciesRequest$;
__webpack_unused_export__ = ListAttachedUserPoliciesResponse$;
__webpack_unused_export__ = ListDelegationRequests$;
__webpack_unused_export__ = ListDelegationRequestsCommand;
__webpack_unused_export__ = ListDelegationRequestsRequest$;
__webpack_unused_export__ = ListDelegationRequestsResponse$;
__webpack_unused_export__ = ListEntitiesForPolicy$;
__webpack_unused_export__ = ListEntitiesForPolicyCommand;
__webpack_unused_export__ = ListEntitiesForPolicyRequest$;
__webpack_unused_export__ = ListEntitiesForPolicyResponse$;
__webpack_unused_export__ = ListGroupPolicies$;
__webpack_unused_export__ = ListGroupPoliciesCommand;
__webpack_unused_export__ = ListGroupPoliciesRequest$;
__webpack_unused_export__ = ListGroupPoliciesResponse$;
__webpack_unused_export__ = ListGroups$;
__webpack_unused_export__ = ListGroupsCommand;
__webpack_unused_export__ = ListGroupsForUser$;
__webpack_unused_export__ = ListGroupsForUserCommand;
__webpack_unused_export__ = ListGroupsForUserRequest$;
__webpack_unused_export__ = ListGroupsForUserResponse$;
__webpack_unused_export__ = ListGroupsRequest$;
__webpack_unused_export__ = ListGroupsResponse$;
__webpack_unused_export__ = ListInstanceProfileTags$;
__webpack_unused_export__ = ListInstanceProfileTagsCommand;
__webpack_unused_export__ = ListInstanceProfileTagsRequest$;
__webpack_unused_export__ = ListInstanceProfileTagsResponse$;
__webpack_unused_export__ = ListInstanceProfiles$;
__webpack_unused_export__ = ListInstanceProfilesCommand;
__webpack_unused_export__ = ListInstanceProfilesForRole$;
__webpack_unused_export__ = ListInstanceProfilesForRoleCommand;
__webpack_unused_export__ = ListInstanceProfilesForRoleRequest$;
__webpack_unused_export__ = ListInstanceProfilesForRoleResponse$;
__webpack_unused_export__ = ListInstanceProfilesRequest$;
__webpack_unused_export__ = ListInstanceProfilesResponse$;
__webpack_unused_export__ = ListMFADeviceTags$;
__webpack_unused_export__ = ListMFADeviceTagsCommand;
__webpack_unused_export__ = ListMFADeviceTagsRequest$;
__webpack_unused_export__ = ListMFADeviceTagsResponse$;
__webpack_unused_export__ = ListMFADevices$;
__webpack_unused_export__ = ListMFADevicesCommand;
__webpack_unused_export__ = ListMFADevicesRequest$;
__webpack_unused_export__ = ListMFADevicesResponse$;
__webpack_unused_export__ = ListOpenIDConnectProviderTags$;
__webpack_unused_export__ = ListOpenIDConnectProviderTagsCommand;
__webpack_unused_export__ = ListOpenIDConnectProviderTagsRequest$;
__webpack_unused_export__ = ListOpenIDConnectProviderTagsResponse$;
__webpack_unused_export__ = ListOpenIDConnectProviders$;
__webpack_unused_export__ = ListOpenIDConnectProvidersCommand;
__webpack_unused_export__ = ListOpenIDConnectProvidersRequest$;
__webpack_unused_export__ = ListOpenIDConnectProvidersResponse$;
__webpack_unused_export__ = ListOrganizationsFeatures$;
__webpack_unused_export__ = ListOrganizationsFeaturesCommand;
__webpack_unused_export__ = ListOrganizationsFeaturesRequest$;
__webpack_unused_export__ = ListOrganizationsFeaturesResponse$;
__webpack_unused_export__ = ListPolicies$;
__webpack_unused_export__ = ListPoliciesCommand;
__webpack_unused_export__ = ListPoliciesGrantingServiceAccess$;
__webpack_unused_export__ = ListPoliciesGrantingServiceAccessCommand;
__webpack_unused_export__ = ListPoliciesGrantingServiceAccessEntry$;
__webpack_unused_export__ = ListPoliciesGrantingServiceAccessRequest$;
__webpack_unused_export__ = ListPoliciesGrantingServiceAccessResponse$;
__webpack_unused_export__ = ListPoliciesRequest$;
__webpack_unused_export__ = ListPoliciesResponse$;
__webpack_unused_export__ = ListPolicyTags$;
__webpack_unused_export__ = ListPolicyTagsCommand;
__webpack_unused_export__ = ListPolicyTagsRequest$;
__webpack_unused_export__ = ListPolicyTagsResponse$;
__webpack_unused_export__ = ListPolicyVersions$;
__webpack_unused_export__ = ListPolicyVersionsCommand;
__webpack_unused_export__ = ListPolicyVersionsRequest$;
__webpack_unused_export__ = ListPolicyVersionsResponse$;
__webpack_unused_export__ = ListRolePolicies$;
__webpack_unused_export__ = ListRolePoliciesCommand;
__webpack_unused_export__ = ListRolePoliciesRequest$;
__webpack_unused_export__ = ListRolePoliciesResponse$;
__webpack_unused_export__ = ListRoleTags$;
__webpack_unused_export__ = ListRoleTagsCommand;
__webpack_unused_export__ = ListRoleTagsRequest$;
__webpack_unused_export__ = ListRoleTagsResponse$;
__webpack_unused_export__ = ListRoles$;
__webpack_unused_export__ = ListRolesCommand;
__webpack_unused_export__ = ListRolesRequest$;
__webpack_unused_export__ = ListRolesResponse$;
__webpack_unused_export__ = ListSAMLProviderTags$;
__webpack_unused_export__ = ListSAMLProviderTagsCommand;
__webpack_unused_export__ = ListSAMLProviderTagsRequest$;
__webpack_unused_export__ = ListSAMLProviderTagsResponse$;
__webpack_unused_export__ = ListSAMLProviders$;
__webpack_unused_export__ = ListSAMLProvidersCommand;
__webpack_unused_export__ = ListSAMLProvidersRequest$;
__webpack_unused_export__ = ListSAMLProvidersResponse$;
__webpack_unused_export__ = ListSSHPublicKeys$;
__webpack_unused_export__ = ListSSHPublicKeysCommand;
__webpack_unused_export__ = ListSSHPublicKeysRequest$;
__webpack_unused_export__ = ListSSHPublicKeysResponse$;
__webpack_unused_export__ = ListServerCertificateTags$;
__webpack_unused_export__ = ListServerCertificateTagsCommand;
__webpack_unused_export__ = ListServerCertificateTagsRequest$;
__webpack_unused_export__ = ListServerCertificateTagsResponse$;
__webpack_unused_export__ = ListServerCertificates$;
__webpack_unused_export__ = ListServerCertificatesCommand;
__webpack_unused_export__ = ListServerCertificatesRequest$;
__webpack_unused_export__ = ListServerCertificatesResponse$;
__webpack_unused_export__ = ListServiceSpecificCredentials$;
__webpack_unused_export__ = ListServiceSpecificCredentialsCommand;
__webpack_unused_export__ = ListServiceSpecificCredentialsRequest$;
__webpack_unused_export__ = ListServiceSpecificCredentialsResponse$;
__webpack_unused_export__ = ListSigningCertificates$;
__webpack_unused_export__ = ListSigningCertificatesCommand;
__webpack_unused_export__ = ListSigningCertificatesRequest$;
__webpack_unused_export__ = ListSigningCertificatesResponse$;
__webpack_unused_export__ = ListUserPolicies$;
__webpack_unused_export__ = ListUserPoliciesCommand;
__webpack_unused_export__ = ListUserPoliciesRequest$;
__webpack_unused_export__ = ListUserPoliciesResponse$;
__webpack_unused_export__ = ListUserTags$;
__webpack_unused_export__ = ListUserTagsCommand;
__webpack_unused_export__ = ListUserTagsRequest$;
__webpack_unused_export__ = ListUserTagsResponse$;
__webpack_unused_export__ = ListUsers$;
__webpack_unused_export__ = ListUsersCommand;
__webpack_unused_export__ = ListUsersRequest$;
__webpack_unused_export__ = ListUsersResponse$;
__webpack_unused_export__ = ListVirtualMFADevices$;
__webpack_unused_export__ = ListVirtualMFADevicesCommand;
__webpack_unused_export__ = ListVirtualMFADevicesRequest$;
__webpack_unused_export__ = ListVirtualMFADevicesResponse$;
__webpack_unused_export__ = LoginProfile$;
__webpack_unused_export__ = MFADevice$;
__webpack_unused_export__ = MalformedCertificateException;
__webpack_unused_export__ = MalformedCertificateException$;
__webpack_unused_export__ = MalformedPolicyDocumentException;
__webpack_unused_export__ = MalformedPolicyDocumentException$;
__webpack_unused_export__ = ManagedByTypeType;
__webpack_unused_export__ = ManagedPolicyDetail$;
__webpack_unused_export__ = NameConflictException;
__webpack_unused_export__ = NameConflictException$;
__webpack_unused_export__ = NoSuchEntityException;
__webpack_unused_export__ = NoSuchEntityException$;
__webpack_unused_export__ = OpenIDConnectProviderListEntry$;
__webpack_unused_export__ = OpenIdIdpCommunicationErrorException;
__webpack_unused_export__ = OpenIdIdpCommunicationErrorException$;
__webpack_unused_export__ = OrderedOrganizationPolicyType$;
__webpack_unused_export__ = OrganizationNotFoundException;
__webpack_unused_export__ = OrganizationNotFoundException$;
__webpack_unused_export__ = OrganizationNotInAllFeaturesModeException;
__webpack_unused_export__ = OrganizationNotInAllFeaturesModeException$;
__webpack_unused_export__ = OrganizationsDecisionDetail$;
__webpack_unused_export__ = ParameterDefinition$;
__webpack_unused_export__ = ParameterTypeType;
__webpack_unused_export__ = PasswordPolicy$;
__webpack_unused_export__ = PasswordPolicyViolationException;
__webpack_unused_export__ = PasswordPolicyViolationException$;
__webpack_unused_export__ = PermissionCheckResultType;
__webpack_unused_export__ = PermissionCheckStatusType;
__webpack_unused_export__ = PermissionsBoundaryAttachmentType;
__webpack_unused_export__ = PermissionsBoundaryDecisionDetail$;
__webpack_unused_export__ = Policy$;
__webpack_unused_export__ = PolicyDetail$;
__webpack_unused_export__ = PolicyEvaluationDecisionType;
__webpack_unused_export__ = PolicyEvaluationException;
__webpack_unused_export__ = PolicyEvaluationException$;
__webpack_unused_export__ = PolicyGrantingServiceAccess$;
__webpack_unused_export__ = PolicyGroup$;
__webpack_unused_export__ = PolicyIdentifier$;
__webpack_unused_export__ = PolicyIdentifierPolicyType;
__webpack_unused_export__ = PolicyNotAttachableException;
__webpack_unused_export__ = PolicyNotAttachableException$;
__webpack_unused_export__ = PolicyOwnerEntityType;
__webpack_unused_export__ = PolicyParameter$;
__webpack_unused_export__ = PolicyParameterTypeEnum;
__webpack_unused_export__ = PolicyRole$;
__webpack_unused_export__ = PolicyScopeType;
__webpack_unused_export__ = PolicySourceType;
__webpack_unused_export__ = PolicyType;
__webpack_unused_export__ = PolicyUsageType;
__webpack_unused_export__ = PolicyUser$;
__webpack_unused_export__ = PolicyVersion$;
__webpack_unused_export__ = Position$;
__webpack_unused_export__ = PutAccountProperties$;
__webpack_unused_export__ = PutAccountPropertiesCommand;
__webpack_unused_export__ = PutAccountPropertiesRequest$;
__webpack_unused_export__ = PutAccountPropertiesResponse$;
__webpack_unused_export__ = PutGroupPolicy$;
__webpack_unused_export__ = PutGroupPolicyCommand;
__webpack_unused_export__ = PutGroupPolicyRequest$;
__webpack_unused_export__ = PutRolePermissionsBoundary$;
__webpack_unused_export__ = PutRolePermissionsBoundaryCommand;
__webpack_unused_export__ = PutRolePermissionsBoundaryRequest$;
__webpack_unused_export__ = PutRolePolicy$;
__webpack_unused_export__ = PutRolePolicyCommand;
__webpack_unused_export__ = PutRolePolicyRequest$;
__webpack_unused_export__ = PutUserPermissionsBoundary$;
__webpack_unused_export__ = PutUserPermissionsBoundaryCommand;
__webpack_unused_export__ = PutUserPermissionsBoundaryRequest$;
__webpack_unused_export__ = PutUserPolicy$;
__webpack_unused_export__ = PutUserPolicyCommand;
__webpack_unused_export__ = PutUserPolicyRequest$;
__webpack_unused_export__ = RejectDelegationRequest$;
__webpack_unused_export__ = RejectDelegationRequestCommand;
__webpack_unused_export__ = RejectDelegationRequestRequest$;
__webpack_unused_export__ = RemoveClientIDFromOpenIDConnectProvider$;
__webpack_unused_export__ = RemoveClientIDFromOpenIDConnectProviderCommand;
__webpack_unused_export__ = RemoveClientIDFromOpenIDConnectProviderRequest$;
__webpack_unused_export__ = RemoveRoleFromInstanceProfile$;
__webpack_unused_export__ = RemoveRoleFromInstanceProfileCommand;
__webpack_unused_export__ = RemoveRoleFromInstanceProfileRequest$;
__webpack_unused_export__ = RemoveUserFromGroup$;
__webpack_unused_export__ = RemoveUserFromGroupCommand;
__webpack_unused_export__ = RemoveUserFromGroupRequest$;
__webpack_unused_export__ = ReplacementValueEntry$;
__webpack_unused_export__ = ReportFormatType;
__webpack_unused_export__ = ReportGenerationLimitExceededException;
__webpack_unused_export__ = ReportGenerationLimitExceededException$;
__webpack_unused_export__ = ReportStateType;
__webpack_unused_export__ = ResetServiceSpecificCredential$;
__webpack_unused_export__ = ResetServiceSpecificCredentialCommand;
__webpack_unused_export__ = ResetServiceSpecificCredentialRequest$;
__webpack_unused_export__ = ResetServiceSpecificCredentialResponse$;
__webpack_unused_export__ = ResourceSpecificResult$;
__webpack_unused_export__ = ResyncMFADevice$;
__webpack_unused_export__ = ResyncMFADeviceCommand;
__webpack_unused_export__ = ResyncMFADeviceRequest$;
__webpack_unused_export__ = Role$;
__webpack_unused_export__ = RoleDetail$;
__webpack_unused_export__ = RoleLastUsed$;
__webpack_unused_export__ = RoleModifiedException;
__webpack_unused_export__ = RoleModifiedException$;
__webpack_unused_export__ = RoleTemplateDisabledException;
__webpack_unused_export__ = RoleTemplateDisabledException$;
__webpack_unused_export__ = RoleTemplateVersion$;
__webpack_unused_export__ = RoleUsageType$;
__webpack_unused_export__ = SAMLPrivateKey$;
__webpack_unused_export__ = SAMLProviderListEntry$;
__webpack_unused_export__ = SSHPublicKey$;
__webpack_unused_export__ = SSHPublicKeyMetadata$;
__webpack_unused_export__ = SendDelegationToken$;
__webpack_unused_export__ = SendDelegationTokenCommand;
__webpack_unused_export__ = SendDelegationTokenRequest$;
__webpack_unused_export__ = ServerCertificate$;
__webpack_unused_export__ = ServerCertificateMetadata$;
__webpack_unused_export__ = ServiceAccessNotEnabledException;
__webpack_unused_export__ = ServiceAccessNotEnabledException$;
__webpack_unused_export__ = ServiceFailureException;
__webpack_unused_export__ = ServiceFailureException$;
__webpack_unused_export__ = ServiceLastAccessed$;
__webpack_unused_export__ = ServiceNotSupportedException;
__webpack_unused_export__ = ServiceNotSupportedException$;
__webpack_unused_export__ = ServiceSpecificCredential$;
__webpack_unused_export__ = ServiceSpecificCredentialMetadata$;
__webpack_unused_export__ = SetDefaultPolicyVersion$;
__webpack_unused_export__ = SetDefaultPolicyVersionCommand;
__webpack_unused_export__ = SetDefaultPolicyVersionRequest$;
__webpack_unused_export__ = SetSecurityTokenServicePreferences$;
__webpack_unused_export__ = SetSecurityTokenServicePreferencesCommand;
__webpack_unused_export__ = SetSecurityTokenServicePreferencesRequest$;
__webpack_unused_export__ = SigningCertificate$;
__webpack_unused_export__ = SimulateCustomPolicy$;
__webpack_unused_export__ = SimulateCustomPolicyCommand;
__webpack_unused_export__ = SimulateCustomPolicyRequest$;
__webpack_unused_export__ = SimulatePolicyResponse$;
__webpack_unused_export__ = SimulatePrincipalPolicy$;
__webpack_unused_export__ = SimulatePrincipalPolicyCommand;
__webpack_unused_export__ = SimulatePrincipalPolicyRequest$;
__webpack_unused_export__ = SortKeyType;
__webpack_unused_export__ = SourceRoleTemplate$;
__webpack_unused_export__ = StateType;
__webpack_unused_export__ = Statement$;
__webpack_unused_export__ = StatusType;
__webpack_unused_export__ = SummaryKeyType;
__webpack_unused_export__ = SummaryStateType;
__webpack_unused_export__ = Tag$;
__webpack_unused_export__ = TagInstanceProfile$;
__webpack_unused_export__ = TagInstanceProfileCommand;
__webpack_unused_export__ = TagInstanceProfileRequest$;
__webpack_unused_export__ = TagMFADevice$;
__webpack_unused_export__ = TagMFADeviceCommand;
__webpack_unused_export__ = TagMFADeviceRequest$;
__webpack_unused_export__ = TagOpenIDConnectProvider$;
__webpack_unused_export__ = TagOpenIDConnectProviderCommand;
__webpack_unused_export__ = TagOpenIDConnectProviderRequest$;
__webpack_unused_export__ = TagPolicy$;
__webpack_unused_export__ = TagPolicyCommand;
__webpack_unused_export__ = TagPolicyRequest$;
__webpack_unused_export__ = TagRole$;
__webpack_unused_export__ = TagRoleCommand;
__webpack_unused_export__ = TagRoleRequest$;
__webpack_unused_export__ = TagSAMLProvider$;
__webpack_unused_export__ = TagSAMLProviderCommand;
__webpack_unused_export__ = TagSAMLProviderRequest$;
__webpack_unused_export__ = TagServerCertificate$;
__webpack_unused_export__ = TagServerCertificateCommand;
__webpack_unused_export__ = TagServerCertificateRequest$;
__webpack_unused_export__ = TagTemplate$;
__webpack_unused_export__ = TagUser$;
__webpack_unused_export__ = TagUserCommand;
__webpack_unused_export__ = TagUserRequest$;
__webpack_unused_export__ = TrackedActionLastAccessed$;
__webpack_unused_export__ = UnmodifiableEntityException;
__webpack_unused_export__ = UnmodifiableEntityException$;
__webpack_unused_export__ = UnrecognizedPublicKeyEncodingException;
__webpack_unused_export__ = UnrecognizedPublicKeyEncodingException$;
__webpack_unused_export__ = UntagInstanceProfile$;
__webpack_unused_export__ = UntagInstanceProfileCommand;
__webpack_unused_export__ = UntagInstanceProfileRequest$;
__webpack_unused_export__ = UntagMFADevice$;
__webpack_unused_export__ = UntagMFADeviceCommand;
__webpack_unused_export__ = UntagMFADeviceRequest$;
__webpack_unused_export__ = UntagOpenIDConnectProvider$;
__webpack_unused_export__ = UntagOpenIDConnectProviderCommand;
__webpack_unused_export__ = UntagOpenIDConnectProviderRequest$;
__webpack_unused_export__ = UntagPolicy$;
__webpack_unused_export__ = UntagPolicyCommand;
__webpack_unused_export__ = UntagPolicyRequest$;
__webpack_unused_export__ = UntagRole$;
__webpack_unused_export__ = UntagRoleCommand;
__webpack_unused_export__ = UntagRoleRequest$;
__webpack_unused_export__ = UntagSAMLProvider$;
__webpack_unused_export__ = UntagSAMLProviderCommand;
__webpack_unused_export__ = UntagSAMLProviderRequest$;
__webpack_unused_export__ = UntagServerCertificate$;
__webpack_unused_export__ = UntagServerCertificateCommand;
__webpack_unused_export__ = UntagServerCertificateRequest$;
__webpack_unused_export__ = UntagUser$;
__webpack_unused_export__ = UntagUserCommand;
__webpack_unused_export__ = UntagUserRequest$;
__webpack_unused_export__ = UpdateAccessKey$;
__webpack_unused_export__ = UpdateAccessKeyCommand;
__webpack_unused_export__ = UpdateAccessKeyRequest$;
__webpack_unused_export__ = UpdateAccountPasswordPolicy$;
__webpack_unused_export__ = UpdateAccountPasswordPolicyCommand;
__webpack_unused_export__ = UpdateAccountPasswordPolicyRequest$;
__webpack_unused_export__ = UpdateAssumeRolePolicy$;
__webpack_unused_export__ = UpdateAssumeRolePolicyCommand;
__webpack_unused_export__ = UpdateAssumeRolePolicyRequest$;
__webpack_unused_export__ = UpdateDelegationRequest$;
__webpack_unused_export__ = UpdateDelegationRequestCommand;
__webpack_unused_export__ = UpdateDelegationRequestRequest$;
__webpack_unused_export__ = UpdateGroup$;
__webpack_unused_export__ = UpdateGroupCommand;
__webpack_unused_export__ = UpdateGroupRequest$;
__webpack_unused_export__ = UpdateLoginProfile$;
__webpack_unused_export__ = UpdateLoginProfileCommand;
__webpack_unused_export__ = UpdateLoginProfileRequest$;
__webpack_unused_export__ = UpdateOpenIDConnectProviderThumbprint$;
__webpack_unused_export__ = UpdateOpenIDConnectProviderThumbprintCommand;
__webpack_unused_export__ = UpdateOpenIDConnectProviderThumbprintRequest$;
__webpack_unused_export__ = UpdateRole$;
__webpack_unused_export__ = UpdateRoleCommand;
__webpack_unused_export__ = UpdateRoleDescription$;
__webpack_unused_export__ = UpdateRoleDescriptionCommand;
__webpack_unused_export__ = UpdateRoleDescriptionRequest$;
__webpack_unused_export__ = UpdateRoleDescriptionResponse$;
__webpack_unused_export__ = UpdateRoleRequest$;
__webpack_unused_export__ = UpdateRoleResponse$;
__webpack_unused_export__ = UpdateSAMLProvider$;
__webpack_unused_export__ = UpdateSAMLProviderCommand;
__webpack_unused_export__ = UpdateSAMLProviderRequest$;
__webpack_unused_export__ = UpdateSAMLProviderResponse$;
__webpack_unused_export__ = UpdateSSHPublicKey$;
__webpack_unused_export__ = UpdateSSHPublicKeyCommand;
__webpack_unused_export__ = UpdateSSHPublicKeyRequest$;
__webpack_unused_export__ = UpdateServerCertificate$;
__webpack_unused_export__ = UpdateServerCertificateCommand;
__webpack_unused_export__ = UpdateServerCertificateRequest$;
__webpack_unused_export__ = UpdateServiceSpecificCredential$;
__webpack_unused_export__ = UpdateServiceSpecificCredentialCommand;
__webpack_unused_export__ = UpdateServiceSpecificCredentialRequest$;
__webpack_unused_export__ = UpdateSigningCertificate$;
__webpack_unused_export__ = UpdateSigningCertificateCommand;
__webpack_unused_export__ = UpdateSigningCertificateRequest$;
__webpack_unused_export__ = UpdateUser$;
__webpack_unused_export__ = UpdateUserCommand;
__webpack_unused_export__ = UpdateUserRequest$;
__webpack_unused_export__ = UploadSSHPublicKey$;
__webpack_unused_export__ = UploadSSHPublicKeyCommand;
__webpack_unused_export__ = UploadSSHPublicKeyRequest$;
__webpack_unused_export__ = UploadSSHPublicKeyResponse$;
__webpack_unused_export__ = UploadServerCertificate$;
__webpack_unused_export__ = UploadServerCertificateCommand;
__webpack_unused_export__ = UploadServerCertificateRequest$;
__webpack_unused_export__ = UploadServerCertificateResponse$;
__webpack_unused_export__ = UploadSigningCertificate$;
__webpack_unused_export__ = UploadSigningCertificateCommand;
__webpack_unused_export__ = UploadSigningCertificateRequest$;
__webpack_unused_export__ = UploadSigningCertificateResponse$;
__webpack_unused_export__ = User$;
__webpack_unused_export__ = UserDetail$;
__webpack_unused_export__ = VirtualMFADevice$;
__webpack_unused_export__ = errorTypeRegistries;
__webpack_unused_export__ = paginateGetAccountAuthorizationDetails;
__webpack_unused_export__ = paginateGetGroup;
__webpack_unused_export__ = paginateListAccessKeys;
__webpack_unused_export__ = paginateListAccountAliases;
__webpack_unused_export__ = paginateListAttachedGroupPolicies;
__webpack_unused_export__ = paginateListAttachedRolePolicies;
__webpack_unused_export__ = paginateListAttachedUserPolicies;
__webpack_unused_export__ = paginateListEntitiesForPolicy;
__webpack_unused_export__ = paginateListGroupPolicies;
__webpack_unused_export__ = paginateListGroups;
__webpack_unused_export__ = paginateListGroupsForUser;
__webpack_unused_export__ = paginateListInstanceProfileTags;
__webpack_unused_export__ = paginateListInstanceProfiles;
__webpack_unused_export__ = paginateListInstanceProfilesForRole;
__webpack_unused_export__ = paginateListMFADeviceTags;
__webpack_unused_export__ = paginateListMFADevices;
__webpack_unused_export__ = paginateListOpenIDConnectProviderTags;
__webpack_unused_export__ = paginateListPolicies;
__webpack_unused_export__ = paginateListPolicyTags;
__webpack_unused_export__ = paginateListPolicyVersions;
__webpack_unused_export__ = paginateListRolePolicies;
__webpack_unused_export__ = paginateListRoleTags;
__webpack_unused_export__ = paginateListRoles;
__webpack_unused_export__ = paginateListSAMLProviderTags;
__webpack_unused_export__ = paginateListSSHPublicKeys;
__webpack_unused_export__ = paginateListServerCertificateTags;
__webpack_unused_export__ = paginateListServerCertificates;
__webpack_unused_export__ = paginateListSigningCertificates;
__webpack_unused_export__ = paginateListUserPolicies;
__webpack_unused_export__ = paginateListUserTags;
__webpack_unused_export__ = paginateListUsers;
__webpack_unused_export__ = paginateListVirtualMFADevices;
__webpack_unused_export__ = paginateSimulateCustomPolicy;
__webpack_unused_export__ = paginateSimulatePrincipalPolicy;
__webpack_unused_export__ = waitForInstanceProfileExists;
__webpack_unused_export__ = waitForPolicyExists;
__webpack_unused_export__ = waitForRoleExists;
__webpack_unused_export__ = waitForUserExists;
__webpack_unused_export__ = waitUntilInstanceProfileExists;
__webpack_unused_export__ = waitUntilPolicyExists;
__webpack_unused_export__ = waitUntilRoleExists;
__webpack_unused_export__ = waitUntilUserExists;


/***/ }),

/***/ 4736:
/***/ ((__unused_webpack_module, exports, __webpack_require__) => {

var __webpack_unused_export__;
const { awsEndpointFunctions, emitWarningIfUnsupportedVersion: emitWarningIfUnsupportedVersion$1, createDefaultUserAgentProvider, getDefaultSocketTimeout, NODE_APP_ID_CONFIG_OPTIONS, getAwsRegionExtensionConfiguration, resolveAwsRegionExtensionConfiguration, resolveUserAgentConfig, resolveHostHeaderConfig, getUserAgentPlugin, getHostHeaderPlugin, getLoggerPlugin, getRecursionDetectionPlugin } = __webpack_require__(5152);
const { getHttpAuthSchemeEndpointRuleSetPlugin, DefaultIdentityProviderConfig, getHttpSigningPlugin, createPaginator } = __webpack_require__(402);
const { normalizeProvider, getSmithyContext, ServiceException, NoOpLogger, emitWarningIfUnsupportedVersion, loadConfigsForDefaultMode, getDefaultExtensionConfiguration, resolveDefaultRuntimeConfig, Client, makeBuilder, createWaiter, checkExceptions, WaiterState, createAggregatedClient } = __webpack_require__(2658);
const { Command: $Command } = __webpack_require__(2658);
__webpack_unused_export__ = $Command;
__webpack_unused_export__ = Client;
const { resolveDefaultsModeConfig, loadConfig, NODE_USE_FIPS_ENDPOINT_CONFIG_OPTIONS, NODE_USE_DUALSTACK_ENDPOINT_CONFIG_OPTIONS, NODE_REGION_CONFIG_OPTIONS, NODE_REGION_CONFIG_FILE_OPTIONS, resolveRegionConfig } = __webpack_require__(7291);
const { BinaryDecisionDiagram, EndpointCache, decideEndpoint, customEndpointFunctions, resolveEndpointConfig, getEndpointPlugin } = __webpack_require__(2085);
const { parseUrl, getHttpHandlerExtensionConfiguration, resolveHttpHandlerRuntimeConfig, getContentLengthPlugin } = __webpack_require__(3422);
const { DEFAULT_RETRY_MODE, NODE_RETRY_MODE_CONFIG_OPTIONS, NODE_MAX_ATTEMPT_CONFIG_OPTIONS, resolveRetryConfig, getRetryPlugin } = __webpack_require__(3609);
const { TypeRegistry, getSchemaSerdePlugin } = __webpack_require__(6890);
const { resolveAwsSdkSigV4Config, AwsSdkSigV4Signer, NODE_AUTH_SCHEME_PREFERENCE_OPTIONS } = __webpack_require__(7523);
const { defaultProvider } = __webpack_require__(5861);
const { toUtf8, fromUtf8, toBase64, fromBase64, calculateBodyLength } = __webpack_require__(2430);
const { streamCollector, NodeHttpHandler } = __webpack_require__(1279);
const { AwsJson1_1Protocol } = __webpack_require__(7288);
const { Sha256 } = __webpack_require__(9542);

const defaultSSMHttpAuthSchemeParametersProvider = async (config, context, input) => {
    return {
        operation: getSmithyContext(context).operation,
        region: await normalizeProvider(config.region)() || (() => {
            throw new Error("expected `region` to be configured for `aws.auth#sigv4`");
        })(),
    };
};
function createAwsAuthSigv4HttpAuthOption(authParameters) {
    return {
        schemeId: "aws.auth#sigv4",
        signingProperties: {
            name: "ssm",
            region: authParameters.region,
        },
        propertiesExtractor: (config, context) => ({
            signingProperties: {
                config,
                context,
            },
        }),
    };
}
const defaultSSMHttpAuthSchemeProvider = (authParameters) => {
    const options = [];
    switch (authParameters.operation) {
        default: {
            options.push(createAwsAuthSigv4HttpAuthOption(authParameters));
        }
    }
    return options;
};
const resolveHttpAuthSchemeConfig = (config) => {
    const config_0 = resolveAwsSdkSigV4Config(config);
    return Object.assign(config_0, {
        authSchemePreference: normalizeProvider(config.authSchemePreference ?? []),
    });
};

const resolveClientEndpointParameters = (options) => {
    return Object.assign(options, {
        useDualstackEndpoint: options.useDualstackEndpoint ?? false,
        useFipsEndpoint: options.useFipsEndpoint ?? false,
        defaultSigningName: "ssm",
    });
};
const commonParams = {
    UseFIPS: { type: "builtInParams", name: "useFipsEndpoint" },
    Endpoint: { type: "builtInParams", name: "endpoint" },
    Region: { type: "builtInParams", name: "region" },
    UseDualStack: { type: "builtInParams", name: "useDualstackEndpoint" },
};

var version = "3.1168.0";
var packageInfo = {
	version: version};

const k = "ref";
const a = -1, b = true, c = "isSet", d = "PartitionResult", e = "booleanEquals", f = "getAttr", g = { [k]: "Endpoint" }, h = { [k]: d }, i = {}, j = [{ [k]: "Region" }];
const _data = {
    conditions: [
        [c, [g]],
        [c, j],
        ["aws.partition", j, d],
        [e, [{ [k]: "UseFIPS" }, b]],
        [e, [{ [k]: "UseDualStack" }, b]],
        [e, [{ fn: f, argv: [h, "supportsDualStack"] }, b]],
        [e, [{ fn: f, argv: [h, "supportsFIPS"] }, b]],
        ["stringEquals", [{ fn: f, argv: [h, "name"] }, "aws-us-gov"]]
    ],
    results: [
        [a],
        [a, "Invalid Configuration: FIPS and custom endpoint are not supported"],
        [a, "Invalid Configuration: Dualstack and custom endpoint are not supported"],
        [g, i],
        ["https://ssm-fips.{Region}.{PartitionResult#dualStackDnsSuffix}", i],
        [a, "FIPS and DualStack are enabled, but this partition does not support one or both"],
        ["https://ssm.{Region}.amazonaws.com", i],
        ["https://ssm-fips.{Region}.{PartitionResult#dnsSuffix}", i],
        [a, "FIPS is enabled but this partition does not support FIPS"],
        ["https://ssm.{Region}.{PartitionResult#dualStackDnsSuffix}", i],
        [a, "DualStack is enabled but this partition does not support DualStack"],
        ["https://ssm.{Region}.{PartitionResult#dnsSuffix}", i],
        [a, "Invalid Configuration: Missing Region"]
    ]
};
const root = 2;
const r = 100_000_000;
const nodes = new Int32Array([
    -1, 1, -1,
    0, 13, 3,
    1, 4, r + 12,
    2, 5, r + 12,
    3, 8, 6,
    4, 7, r + 11,
    5, r + 9, r + 10,
    4, 11, 9,
    6, 10, r + 8,
    7, r + 6, r + 7,
    5, 12, r + 5,
    6, r + 4, r + 5,
    3, r + 1, 14,
    4, r + 2, r + 3,
]);
const bdd = BinaryDecisionDiagram.from(nodes, root, _data.conditions, _data.results);

const cache = new EndpointCache({
    size: 50,
    params: ["Endpoint", "Region", "UseDualStack", "UseFIPS"],
});
const defaultEndpointResolver = (endpointParams, context = {}) => {
    return cache.get(endpointParams, () => decideEndpoint(bdd, {
        endpointParams: endpointParams,
        logger: context.logger,
    }));
};
customEndpointFunctions.aws = awsEndpointFunctions;

class SSMServiceException extends ServiceException {
    static shapeId = "smithy.ts.sdk.synthetic.com.amazonaws.ssm#SSMServiceException";
    constructor(options) {
        super(options);
        Object.setPrototypeOf(this, SSMServiceException.prototype);
    }
}

class AccessDeniedException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#AccessDeniedException";
    name = "AccessDeniedException";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "AccessDeniedException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, AccessDeniedException.prototype);
        this.Message = opts.Message;
    }
}
class InternalServerError extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#InternalServerError";
    name = "InternalServerError";
    $fault = "server";
    Message;
    constructor(opts) {
        super({
            name: "InternalServerError",
            $fault: "server",
            ...opts,
        });
        Object.setPrototypeOf(this, InternalServerError.prototype);
        this.Message = opts.Message;
    }
}
class InvalidResourceId extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#InvalidResourceId";
    name = "InvalidResourceId";
    $fault = "client";
    constructor(opts) {
        super({
            name: "InvalidResourceId",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, InvalidResourceId.prototype);
    }
}
class InvalidResourceType extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#InvalidResourceType";
    name = "InvalidResourceType";
    $fault = "client";
    constructor(opts) {
        super({
            name: "InvalidResourceType",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, InvalidResourceType.prototype);
    }
}
class TooManyTagsError extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#TooManyTagsError";
    name = "TooManyTagsError";
    $fault = "client";
    constructor(opts) {
        super({
            name: "TooManyTagsError",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, TooManyTagsError.prototype);
    }
}
class TooManyUpdates extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#TooManyUpdates";
    name = "TooManyUpdates";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "TooManyUpdates",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, TooManyUpdates.prototype);
        this.Message = opts.Message;
    }
}
class AlreadyExistsException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#AlreadyExistsException";
    name = "AlreadyExistsException";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "AlreadyExistsException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, AlreadyExistsException.prototype);
        this.Message = opts.Message;
    }
}
class OpsItemConflictException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#OpsItemConflictException";
    name = "OpsItemConflictException";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "OpsItemConflictException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, OpsItemConflictException.prototype);
        this.Message = opts.Message;
    }
}
class OpsItemInvalidParameterException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#OpsItemInvalidParameterException";
    name = "OpsItemInvalidParameterException";
    $fault = "client";
    ParameterNames;
    Message;
    constructor(opts) {
        super({
            name: "OpsItemInvalidParameterException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, OpsItemInvalidParameterException.prototype);
        this.ParameterNames = opts.ParameterNames;
        this.Message = opts.Message;
    }
}
class OpsItemLimitExceededException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#OpsItemLimitExceededException";
    name = "OpsItemLimitExceededException";
    $fault = "client";
    ResourceTypes;
    Limit;
    LimitType;
    Message;
    constructor(opts) {
        super({
            name: "OpsItemLimitExceededException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, OpsItemLimitExceededException.prototype);
        this.ResourceTypes = opts.ResourceTypes;
        this.Limit = opts.Limit;
        this.LimitType = opts.LimitType;
        this.Message = opts.Message;
    }
}
class OpsItemNotFoundException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#OpsItemNotFoundException";
    name = "OpsItemNotFoundException";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "OpsItemNotFoundException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, OpsItemNotFoundException.prototype);
        this.Message = opts.Message;
    }
}
class OpsItemRelatedItemAlreadyExistsException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#OpsItemRelatedItemAlreadyExistsException";
    name = "OpsItemRelatedItemAlreadyExistsException";
    $fault = "client";
    Message;
    ResourceUri;
    OpsItemId;
    constructor(opts) {
        super({
            name: "OpsItemRelatedItemAlreadyExistsException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, OpsItemRelatedItemAlreadyExistsException.prototype);
        this.Message = opts.Message;
        this.ResourceUri = opts.ResourceUri;
        this.OpsItemId = opts.OpsItemId;
    }
}
class DuplicateInstanceId extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#DuplicateInstanceId";
    name = "DuplicateInstanceId";
    $fault = "client";
    constructor(opts) {
        super({
            name: "DuplicateInstanceId",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, DuplicateInstanceId.prototype);
    }
}
class InvalidCommandId extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#InvalidCommandId";
    name = "InvalidCommandId";
    $fault = "client";
    constructor(opts) {
        super({
            name: "InvalidCommandId",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, InvalidCommandId.prototype);
    }
}
class InvalidInstanceId extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#InvalidInstanceId";
    name = "InvalidInstanceId";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "InvalidInstanceId",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, InvalidInstanceId.prototype);
        this.Message = opts.Message;
    }
}
class DoesNotExistException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#DoesNotExistException";
    name = "DoesNotExistException";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "DoesNotExistException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, DoesNotExistException.prototype);
        this.Message = opts.Message;
    }
}
class InvalidParameters extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#InvalidParameters";
    name = "InvalidParameters";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "InvalidParameters",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, InvalidParameters.prototype);
        this.Message = opts.Message;
    }
}
class AssociationAlreadyExists extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#AssociationAlreadyExists";
    name = "AssociationAlreadyExists";
    $fault = "client";
    constructor(opts) {
        super({
            name: "AssociationAlreadyExists",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, AssociationAlreadyExists.prototype);
    }
}
class AssociationLimitExceeded extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#AssociationLimitExceeded";
    name = "AssociationLimitExceeded";
    $fault = "client";
    constructor(opts) {
        super({
            name: "AssociationLimitExceeded",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, AssociationLimitExceeded.prototype);
    }
}
class InvalidDocument extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#InvalidDocument";
    name = "InvalidDocument";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "InvalidDocument",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, InvalidDocument.prototype);
        this.Message = opts.Message;
    }
}
class InvalidDocumentVersion extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#InvalidDocumentVersion";
    name = "InvalidDocumentVersion";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "InvalidDocumentVersion",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, InvalidDocumentVersion.prototype);
        this.Message = opts.Message;
    }
}
class InvalidOutputLocation extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#InvalidOutputLocation";
    name = "InvalidOutputLocation";
    $fault = "client";
    constructor(opts) {
        super({
            name: "InvalidOutputLocation",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, InvalidOutputLocation.prototype);
    }
}
class InvalidSchedule extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#InvalidSchedule";
    name = "InvalidSchedule";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "InvalidSchedule",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, InvalidSchedule.prototype);
        this.Message = opts.Message;
    }
}
class InvalidTag extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#InvalidTag";
    name = "InvalidTag";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "InvalidTag",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, InvalidTag.prototype);
        this.Message = opts.Message;
    }
}
class InvalidTarget extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#InvalidTarget";
    name = "InvalidTarget";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "InvalidTarget",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, InvalidTarget.prototype);
        this.Message = opts.Message;
    }
}
class InvalidTargetMaps extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#InvalidTargetMaps";
    name = "InvalidTargetMaps";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "InvalidTargetMaps",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, InvalidTargetMaps.prototype);
        this.Message = opts.Message;
    }
}
class UnsupportedPlatformType extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#UnsupportedPlatformType";
    name = "UnsupportedPlatformType";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "UnsupportedPlatformType",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, UnsupportedPlatformType.prototype);
        this.Message = opts.Message;
    }
}
class ConflictException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#ConflictException";
    name = "ConflictException";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "ConflictException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, ConflictException.prototype);
        this.Message = opts.Message;
    }
}
class ServiceQuotaExceededException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#ServiceQuotaExceededException";
    name = "ServiceQuotaExceededException";
    $fault = "client";
    Message;
    ResourceId;
    ResourceType;
    QuotaCode;
    ServiceCode;
    constructor(opts) {
        super({
            name: "ServiceQuotaExceededException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, ServiceQuotaExceededException.prototype);
        this.Message = opts.Message;
        this.ResourceId = opts.ResourceId;
        this.ResourceType = opts.ResourceType;
        this.QuotaCode = opts.QuotaCode;
        this.ServiceCode = opts.ServiceCode;
    }
}
class DocumentAlreadyExists extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#DocumentAlreadyExists";
    name = "DocumentAlreadyExists";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "DocumentAlreadyExists",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, DocumentAlreadyExists.prototype);
        this.Message = opts.Message;
    }
}
class DocumentLimitExceeded extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#DocumentLimitExceeded";
    name = "DocumentLimitExceeded";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "DocumentLimitExceeded",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, DocumentLimitExceeded.prototype);
        this.Message = opts.Message;
    }
}
class InvalidDocumentContent extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#InvalidDocumentContent";
    name = "InvalidDocumentContent";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "InvalidDocumentContent",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, InvalidDocumentContent.prototype);
        this.Message = opts.Message;
    }
}
class InvalidDocumentSchemaVersion extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#InvalidDocumentSchemaVersion";
    name = "InvalidDocumentSchemaVersion";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "InvalidDocumentSchemaVersion",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, InvalidDocumentSchemaVersion.prototype);
        this.Message = opts.Message;
    }
}
class MaxDocumentSizeExceeded extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#MaxDocumentSizeExceeded";
    name = "MaxDocumentSizeExceeded";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "MaxDocumentSizeExceeded",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, MaxDocumentSizeExceeded.prototype);
        this.Message = opts.Message;
    }
}
class NoLongerSupportedException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#NoLongerSupportedException";
    name = "NoLongerSupportedException";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "NoLongerSupportedException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, NoLongerSupportedException.prototype);
        this.Message = opts.Message;
    }
}
class IdempotentParameterMismatch extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#IdempotentParameterMismatch";
    name = "IdempotentParameterMismatch";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "IdempotentParameterMismatch",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, IdempotentParameterMismatch.prototype);
        this.Message = opts.Message;
    }
}
class ResourceLimitExceededException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#ResourceLimitExceededException";
    name = "ResourceLimitExceededException";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "ResourceLimitExceededException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, ResourceLimitExceededException.prototype);
        this.Message = opts.Message;
    }
}
class OpsItemAccessDeniedException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#OpsItemAccessDeniedException";
    name = "OpsItemAccessDeniedException";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "OpsItemAccessDeniedException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, OpsItemAccessDeniedException.prototype);
        this.Message = opts.Message;
    }
}
class OpsItemAlreadyExistsException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#OpsItemAlreadyExistsException";
    name = "OpsItemAlreadyExistsException";
    $fault = "client";
    Message;
    OpsItemId;
    constructor(opts) {
        super({
            name: "OpsItemAlreadyExistsException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, OpsItemAlreadyExistsException.prototype);
        this.Message = opts.Message;
        this.OpsItemId = opts.OpsItemId;
    }
}
class OpsMetadataAlreadyExistsException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#OpsMetadataAlreadyExistsException";
    name = "OpsMetadataAlreadyExistsException";
    $fault = "client";
    constructor(opts) {
        super({
            name: "OpsMetadataAlreadyExistsException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, OpsMetadataAlreadyExistsException.prototype);
    }
}
class OpsMetadataInvalidArgumentException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#OpsMetadataInvalidArgumentException";
    name = "OpsMetadataInvalidArgumentException";
    $fault = "client";
    constructor(opts) {
        super({
            name: "OpsMetadataInvalidArgumentException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, OpsMetadataInvalidArgumentException.prototype);
    }
}
class OpsMetadataLimitExceededException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#OpsMetadataLimitExceededException";
    name = "OpsMetadataLimitExceededException";
    $fault = "client";
    constructor(opts) {
        super({
            name: "OpsMetadataLimitExceededException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, OpsMetadataLimitExceededException.prototype);
    }
}
class OpsMetadataTooManyUpdatesException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#OpsMetadataTooManyUpdatesException";
    name = "OpsMetadataTooManyUpdatesException";
    $fault = "client";
    constructor(opts) {
        super({
            name: "OpsMetadataTooManyUpdatesException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, OpsMetadataTooManyUpdatesException.prototype);
    }
}
class ResourceDataSyncAlreadyExistsException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#ResourceDataSyncAlreadyExistsException";
    name = "ResourceDataSyncAlreadyExistsException";
    $fault = "client";
    SyncName;
    constructor(opts) {
        super({
            name: "ResourceDataSyncAlreadyExistsException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, ResourceDataSyncAlreadyExistsException.prototype);
        this.SyncName = opts.SyncName;
    }
}
class ResourceDataSyncCountExceededException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#ResourceDataSyncCountExceededException";
    name = "ResourceDataSyncCountExceededException";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "ResourceDataSyncCountExceededException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, ResourceDataSyncCountExceededException.prototype);
        this.Message = opts.Message;
    }
}
class ResourceDataSyncInvalidConfigurationException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#ResourceDataSyncInvalidConfigurationException";
    name = "ResourceDataSyncInvalidConfigurationException";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "ResourceDataSyncInvalidConfigurationException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, ResourceDataSyncInvalidConfigurationException.prototype);
        this.Message = opts.Message;
    }
}
class InvalidActivation extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#InvalidActivation";
    name = "InvalidActivation";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "InvalidActivation",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, InvalidActivation.prototype);
        this.Message = opts.Message;
    }
}
class InvalidActivationId extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#InvalidActivationId";
    name = "InvalidActivationId";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "InvalidActivationId",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, InvalidActivationId.prototype);
        this.Message = opts.Message;
    }
}
class AssociationDoesNotExist extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#AssociationDoesNotExist";
    name = "AssociationDoesNotExist";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "AssociationDoesNotExist",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, AssociationDoesNotExist.prototype);
        this.Message = opts.Message;
    }
}
class ResourceNotFoundException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#ResourceNotFoundException";
    name = "ResourceNotFoundException";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "ResourceNotFoundException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, ResourceNotFoundException.prototype);
        this.Message = opts.Message;
    }
}
class AssociatedInstances extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#AssociatedInstances";
    name = "AssociatedInstances";
    $fault = "client";
    constructor(opts) {
        super({
            name: "AssociatedInstances",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, AssociatedInstances.prototype);
    }
}
class InvalidDocumentOperation extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#InvalidDocumentOperation";
    name = "InvalidDocumentOperation";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "InvalidDocumentOperation",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, InvalidDocumentOperation.prototype);
        this.Message = opts.Message;
    }
}
class InvalidDeleteInventoryParametersException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#InvalidDeleteInventoryParametersException";
    name = "InvalidDeleteInventoryParametersException";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "InvalidDeleteInventoryParametersException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, InvalidDeleteInventoryParametersException.prototype);
        this.Message = opts.Message;
    }
}
class InvalidInventoryRequestException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#InvalidInventoryRequestException";
    name = "InvalidInventoryRequestException";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "InvalidInventoryRequestException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, InvalidInventoryRequestException.prototype);
        this.Message = opts.Message;
    }
}
class InvalidOptionException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#InvalidOptionException";
    name = "InvalidOptionException";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "InvalidOptionException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, InvalidOptionException.prototype);
        this.Message = opts.Message;
    }
}
class InvalidTypeNameException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#InvalidTypeNameException";
    name = "InvalidTypeNameException";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "InvalidTypeNameException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, InvalidTypeNameException.prototype);
        this.Message = opts.Message;
    }
}
class OpsMetadataNotFoundException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#OpsMetadataNotFoundException";
    name = "OpsMetadataNotFoundException";
    $fault = "client";
    constructor(opts) {
        super({
            name: "OpsMetadataNotFoundException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, OpsMetadataNotFoundException.prototype);
    }
}
class ParameterNotFound extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#ParameterNotFound";
    name = "ParameterNotFound";
    $fault = "client";
    constructor(opts) {
        super({
            name: "ParameterNotFound",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, ParameterNotFound.prototype);
    }
}
class ResourceInUseException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#ResourceInUseException";
    name = "ResourceInUseException";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "ResourceInUseException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, ResourceInUseException.prototype);
        this.Message = opts.Message;
    }
}
class ResourceDataSyncNotFoundException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#ResourceDataSyncNotFoundException";
    name = "ResourceDataSyncNotFoundException";
    $fault = "client";
    SyncName;
    SyncType;
    Message;
    constructor(opts) {
        super({
            name: "ResourceDataSyncNotFoundException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, ResourceDataSyncNotFoundException.prototype);
        this.SyncName = opts.SyncName;
        this.SyncType = opts.SyncType;
        this.Message = opts.Message;
    }
}
class MalformedResourcePolicyDocumentException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#MalformedResourcePolicyDocumentException";
    name = "MalformedResourcePolicyDocumentException";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "MalformedResourcePolicyDocumentException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, MalformedResourcePolicyDocumentException.prototype);
        this.Message = opts.Message;
    }
}
class ResourcePolicyConflictException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#ResourcePolicyConflictException";
    name = "ResourcePolicyConflictException";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "ResourcePolicyConflictException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, ResourcePolicyConflictException.prototype);
        this.Message = opts.Message;
    }
}
class ResourcePolicyInvalidParameterException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#ResourcePolicyInvalidParameterException";
    name = "ResourcePolicyInvalidParameterException";
    $fault = "client";
    ParameterNames;
    Message;
    constructor(opts) {
        super({
            name: "ResourcePolicyInvalidParameterException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, ResourcePolicyInvalidParameterException.prototype);
        this.ParameterNames = opts.ParameterNames;
        this.Message = opts.Message;
    }
}
class ResourcePolicyNotFoundException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#ResourcePolicyNotFoundException";
    name = "ResourcePolicyNotFoundException";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "ResourcePolicyNotFoundException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, ResourcePolicyNotFoundException.prototype);
        this.Message = opts.Message;
    }
}
class TargetInUseException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#TargetInUseException";
    name = "TargetInUseException";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "TargetInUseException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, TargetInUseException.prototype);
        this.Message = opts.Message;
    }
}
class InvalidFilter extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#InvalidFilter";
    name = "InvalidFilter";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "InvalidFilter",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, InvalidFilter.prototype);
        this.Message = opts.Message;
    }
}
class InvalidNextToken extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#InvalidNextToken";
    name = "InvalidNextToken";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "InvalidNextToken",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, InvalidNextToken.prototype);
        this.Message = opts.Message;
    }
}
class InvalidAssociationVersion extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#InvalidAssociationVersion";
    name = "InvalidAssociationVersion";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "InvalidAssociationVersion",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, InvalidAssociationVersion.prototype);
        this.Message = opts.Message;
    }
}
class AssociationExecutionDoesNotExist extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#AssociationExecutionDoesNotExist";
    name = "AssociationExecutionDoesNotExist";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "AssociationExecutionDoesNotExist",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, AssociationExecutionDoesNotExist.prototype);
        this.Message = opts.Message;
    }
}
class InvalidFilterKey extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#InvalidFilterKey";
    name = "InvalidFilterKey";
    $fault = "client";
    constructor(opts) {
        super({
            name: "InvalidFilterKey",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, InvalidFilterKey.prototype);
    }
}
class InvalidFilterValue extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#InvalidFilterValue";
    name = "InvalidFilterValue";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "InvalidFilterValue",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, InvalidFilterValue.prototype);
        this.Message = opts.Message;
    }
}
class AutomationExecutionNotFoundException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#AutomationExecutionNotFoundException";
    name = "AutomationExecutionNotFoundException";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "AutomationExecutionNotFoundException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, AutomationExecutionNotFoundException.prototype);
        this.Message = opts.Message;
    }
}
class InvalidPermissionType extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#InvalidPermissionType";
    name = "InvalidPermissionType";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "InvalidPermissionType",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, InvalidPermissionType.prototype);
        this.Message = opts.Message;
    }
}
class UnsupportedOperatingSystem extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#UnsupportedOperatingSystem";
    name = "UnsupportedOperatingSystem";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "UnsupportedOperatingSystem",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, UnsupportedOperatingSystem.prototype);
        this.Message = opts.Message;
    }
}
class InvalidInstanceInformationFilterValue extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#InvalidInstanceInformationFilterValue";
    name = "InvalidInstanceInformationFilterValue";
    $fault = "client";
    constructor(opts) {
        super({
            name: "InvalidInstanceInformationFilterValue",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, InvalidInstanceInformationFilterValue.prototype);
    }
}
class InvalidInstancePropertyFilterValue extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#InvalidInstancePropertyFilterValue";
    name = "InvalidInstancePropertyFilterValue";
    $fault = "client";
    constructor(opts) {
        super({
            name: "InvalidInstancePropertyFilterValue",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, InvalidInstancePropertyFilterValue.prototype);
    }
}
class InvalidDeletionIdException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#InvalidDeletionIdException";
    name = "InvalidDeletionIdException";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "InvalidDeletionIdException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, InvalidDeletionIdException.prototype);
        this.Message = opts.Message;
    }
}
class InvalidFilterOption extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#InvalidFilterOption";
    name = "InvalidFilterOption";
    $fault = "client";
    constructor(opts) {
        super({
            name: "InvalidFilterOption",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, InvalidFilterOption.prototype);
    }
}
class OpsItemRelatedItemAssociationNotFoundException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#OpsItemRelatedItemAssociationNotFoundException";
    name = "OpsItemRelatedItemAssociationNotFoundException";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "OpsItemRelatedItemAssociationNotFoundException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, OpsItemRelatedItemAssociationNotFoundException.prototype);
        this.Message = opts.Message;
    }
}
class ThrottlingException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#ThrottlingException";
    name = "ThrottlingException";
    $fault = "client";
    Message;
    QuotaCode;
    ServiceCode;
    constructor(opts) {
        super({
            name: "ThrottlingException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, ThrottlingException.prototype);
        this.Message = opts.Message;
        this.QuotaCode = opts.QuotaCode;
        this.ServiceCode = opts.ServiceCode;
    }
}
class ValidationException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#ValidationException";
    name = "ValidationException";
    $fault = "client";
    Message;
    ReasonCode;
    constructor(opts) {
        super({
            name: "ValidationException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, ValidationException.prototype);
        this.Message = opts.Message;
        this.ReasonCode = opts.ReasonCode;
    }
}
class InvalidDocumentType extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#InvalidDocumentType";
    name = "InvalidDocumentType";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "InvalidDocumentType",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, InvalidDocumentType.prototype);
        this.Message = opts.Message;
    }
}
class UnsupportedCalendarException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#UnsupportedCalendarException";
    name = "UnsupportedCalendarException";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "UnsupportedCalendarException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, UnsupportedCalendarException.prototype);
        this.Message = opts.Message;
    }
}
class InvalidPluginName extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#InvalidPluginName";
    name = "InvalidPluginName";
    $fault = "client";
    constructor(opts) {
        super({
            name: "InvalidPluginName",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, InvalidPluginName.prototype);
    }
}
class InvocationDoesNotExist extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#InvocationDoesNotExist";
    name = "InvocationDoesNotExist";
    $fault = "client";
    constructor(opts) {
        super({
            name: "InvocationDoesNotExist",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, InvocationDoesNotExist.prototype);
    }
}
class UnsupportedFeatureRequiredException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#UnsupportedFeatureRequiredException";
    name = "UnsupportedFeatureRequiredException";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "UnsupportedFeatureRequiredException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, UnsupportedFeatureRequiredException.prototype);
        this.Message = opts.Message;
    }
}
class InvalidAggregatorException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#InvalidAggregatorException";
    name = "InvalidAggregatorException";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "InvalidAggregatorException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, InvalidAggregatorException.prototype);
        this.Message = opts.Message;
    }
}
class InvalidInventoryGroupException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#InvalidInventoryGroupException";
    name = "InvalidInventoryGroupException";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "InvalidInventoryGroupException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, InvalidInventoryGroupException.prototype);
        this.Message = opts.Message;
    }
}
class InvalidResultAttributeException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#InvalidResultAttributeException";
    name = "InvalidResultAttributeException";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "InvalidResultAttributeException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, InvalidResultAttributeException.prototype);
        this.Message = opts.Message;
    }
}
class InvalidKeyId extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#InvalidKeyId";
    name = "InvalidKeyId";
    $fault = "client";
    constructor(opts) {
        super({
            name: "InvalidKeyId",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, InvalidKeyId.prototype);
    }
}
class ParameterVersionNotFound extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#ParameterVersionNotFound";
    name = "ParameterVersionNotFound";
    $fault = "client";
    constructor(opts) {
        super({
            name: "ParameterVersionNotFound",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, ParameterVersionNotFound.prototype);
    }
}
class ServiceSettingNotFound extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#ServiceSettingNotFound";
    name = "ServiceSettingNotFound";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "ServiceSettingNotFound",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, ServiceSettingNotFound.prototype);
        this.Message = opts.Message;
    }
}
class ParameterVersionLabelLimitExceeded extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#ParameterVersionLabelLimitExceeded";
    name = "ParameterVersionLabelLimitExceeded";
    $fault = "client";
    constructor(opts) {
        super({
            name: "ParameterVersionLabelLimitExceeded",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, ParameterVersionLabelLimitExceeded.prototype);
    }
}
class UnsupportedOperationException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#UnsupportedOperationException";
    name = "UnsupportedOperationException";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "UnsupportedOperationException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, UnsupportedOperationException.prototype);
        this.Message = opts.Message;
    }
}
class DocumentPermissionLimit extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#DocumentPermissionLimit";
    name = "DocumentPermissionLimit";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "DocumentPermissionLimit",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, DocumentPermissionLimit.prototype);
        this.Message = opts.Message;
    }
}
class ComplianceTypeCountLimitExceededException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#ComplianceTypeCountLimitExceededException";
    name = "ComplianceTypeCountLimitExceededException";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "ComplianceTypeCountLimitExceededException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, ComplianceTypeCountLimitExceededException.prototype);
        this.Message = opts.Message;
    }
}
class InvalidItemContentException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#InvalidItemContentException";
    name = "InvalidItemContentException";
    $fault = "client";
    TypeName;
    Message;
    constructor(opts) {
        super({
            name: "InvalidItemContentException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, InvalidItemContentException.prototype);
        this.TypeName = opts.TypeName;
        this.Message = opts.Message;
    }
}
class ItemSizeLimitExceededException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#ItemSizeLimitExceededException";
    name = "ItemSizeLimitExceededException";
    $fault = "client";
    TypeName;
    Message;
    constructor(opts) {
        super({
            name: "ItemSizeLimitExceededException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, ItemSizeLimitExceededException.prototype);
        this.TypeName = opts.TypeName;
        this.Message = opts.Message;
    }
}
class TotalSizeLimitExceededException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#TotalSizeLimitExceededException";
    name = "TotalSizeLimitExceededException";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "TotalSizeLimitExceededException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, TotalSizeLimitExceededException.prototype);
        this.Message = opts.Message;
    }
}
class CustomSchemaCountLimitExceededException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#CustomSchemaCountLimitExceededException";
    name = "CustomSchemaCountLimitExceededException";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "CustomSchemaCountLimitExceededException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, CustomSchemaCountLimitExceededException.prototype);
        this.Message = opts.Message;
    }
}
class InvalidInventoryItemContextException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#InvalidInventoryItemContextException";
    name = "InvalidInventoryItemContextException";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "InvalidInventoryItemContextException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, InvalidInventoryItemContextException.prototype);
        this.Message = opts.Message;
    }
}
class ItemContentMismatchException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#ItemContentMismatchException";
    name = "ItemContentMismatchException";
    $fault = "client";
    TypeName;
    Message;
    constructor(opts) {
        super({
            name: "ItemContentMismatchException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, ItemContentMismatchException.prototype);
        this.TypeName = opts.TypeName;
        this.Message = opts.Message;
    }
}
class SubTypeCountLimitExceededException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#SubTypeCountLimitExceededException";
    name = "SubTypeCountLimitExceededException";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "SubTypeCountLimitExceededException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, SubTypeCountLimitExceededException.prototype);
        this.Message = opts.Message;
    }
}
class UnsupportedInventoryItemContextException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#UnsupportedInventoryItemContextException";
    name = "UnsupportedInventoryItemContextException";
    $fault = "client";
    TypeName;
    Message;
    constructor(opts) {
        super({
            name: "UnsupportedInventoryItemContextException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, UnsupportedInventoryItemContextException.prototype);
        this.TypeName = opts.TypeName;
        this.Message = opts.Message;
    }
}
class UnsupportedInventorySchemaVersionException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#UnsupportedInventorySchemaVersionException";
    name = "UnsupportedInventorySchemaVersionException";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "UnsupportedInventorySchemaVersionException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, UnsupportedInventorySchemaVersionException.prototype);
        this.Message = opts.Message;
    }
}
class HierarchyLevelLimitExceededException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#HierarchyLevelLimitExceededException";
    name = "HierarchyLevelLimitExceededException";
    $fault = "client";
    constructor(opts) {
        super({
            name: "HierarchyLevelLimitExceededException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, HierarchyLevelLimitExceededException.prototype);
    }
}
class HierarchyTypeMismatchException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#HierarchyTypeMismatchException";
    name = "HierarchyTypeMismatchException";
    $fault = "client";
    constructor(opts) {
        super({
            name: "HierarchyTypeMismatchException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, HierarchyTypeMismatchException.prototype);
    }
}
class IncompatiblePolicyException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#IncompatiblePolicyException";
    name = "IncompatiblePolicyException";
    $fault = "client";
    constructor(opts) {
        super({
            name: "IncompatiblePolicyException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, IncompatiblePolicyException.prototype);
    }
}
class InvalidAllowedPatternException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#InvalidAllowedPatternException";
    name = "InvalidAllowedPatternException";
    $fault = "client";
    constructor(opts) {
        super({
            name: "InvalidAllowedPatternException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, InvalidAllowedPatternException.prototype);
    }
}
class InvalidPolicyAttributeException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#InvalidPolicyAttributeException";
    name = "InvalidPolicyAttributeException";
    $fault = "client";
    constructor(opts) {
        super({
            name: "InvalidPolicyAttributeException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, InvalidPolicyAttributeException.prototype);
    }
}
class InvalidPolicyTypeException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#InvalidPolicyTypeException";
    name = "InvalidPolicyTypeException";
    $fault = "client";
    constructor(opts) {
        super({
            name: "InvalidPolicyTypeException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, InvalidPolicyTypeException.prototype);
    }
}
class ParameterAlreadyExists extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#ParameterAlreadyExists";
    name = "ParameterAlreadyExists";
    $fault = "client";
    constructor(opts) {
        super({
            name: "ParameterAlreadyExists",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, ParameterAlreadyExists.prototype);
    }
}
class ParameterLimitExceeded extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#ParameterLimitExceeded";
    name = "ParameterLimitExceeded";
    $fault = "client";
    constructor(opts) {
        super({
            name: "ParameterLimitExceeded",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, ParameterLimitExceeded.prototype);
    }
}
class ParameterMaxVersionLimitExceeded extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#ParameterMaxVersionLimitExceeded";
    name = "ParameterMaxVersionLimitExceeded";
    $fault = "client";
    constructor(opts) {
        super({
            name: "ParameterMaxVersionLimitExceeded",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, ParameterMaxVersionLimitExceeded.prototype);
    }
}
class ParameterPatternMismatchException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#ParameterPatternMismatchException";
    name = "ParameterPatternMismatchException";
    $fault = "client";
    constructor(opts) {
        super({
            name: "ParameterPatternMismatchException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, ParameterPatternMismatchException.prototype);
    }
}
class PoliciesLimitExceededException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#PoliciesLimitExceededException";
    name = "PoliciesLimitExceededException";
    $fault = "client";
    constructor(opts) {
        super({
            name: "PoliciesLimitExceededException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, PoliciesLimitExceededException.prototype);
    }
}
class UnsupportedParameterType extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#UnsupportedParameterType";
    name = "UnsupportedParameterType";
    $fault = "client";
    constructor(opts) {
        super({
            name: "UnsupportedParameterType",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, UnsupportedParameterType.prototype);
    }
}
class ResourcePolicyLimitExceededException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#ResourcePolicyLimitExceededException";
    name = "ResourcePolicyLimitExceededException";
    $fault = "client";
    Limit;
    LimitType;
    Message;
    constructor(opts) {
        super({
            name: "ResourcePolicyLimitExceededException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, ResourcePolicyLimitExceededException.prototype);
        this.Limit = opts.Limit;
        this.LimitType = opts.LimitType;
        this.Message = opts.Message;
    }
}
class FeatureNotAvailableException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#FeatureNotAvailableException";
    name = "FeatureNotAvailableException";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "FeatureNotAvailableException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, FeatureNotAvailableException.prototype);
        this.Message = opts.Message;
    }
}
class AutomationStepNotFoundException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#AutomationStepNotFoundException";
    name = "AutomationStepNotFoundException";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "AutomationStepNotFoundException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, AutomationStepNotFoundException.prototype);
        this.Message = opts.Message;
    }
}
class InvalidAutomationSignalException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#InvalidAutomationSignalException";
    name = "InvalidAutomationSignalException";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "InvalidAutomationSignalException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, InvalidAutomationSignalException.prototype);
        this.Message = opts.Message;
    }
}
class InvalidNotificationConfig extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#InvalidNotificationConfig";
    name = "InvalidNotificationConfig";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "InvalidNotificationConfig",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, InvalidNotificationConfig.prototype);
        this.Message = opts.Message;
    }
}
class InvalidOutputFolder extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#InvalidOutputFolder";
    name = "InvalidOutputFolder";
    $fault = "client";
    constructor(opts) {
        super({
            name: "InvalidOutputFolder",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, InvalidOutputFolder.prototype);
    }
}
class InvalidRole extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#InvalidRole";
    name = "InvalidRole";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "InvalidRole",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, InvalidRole.prototype);
        this.Message = opts.Message;
    }
}
class InvalidAssociation extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#InvalidAssociation";
    name = "InvalidAssociation";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "InvalidAssociation",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, InvalidAssociation.prototype);
        this.Message = opts.Message;
    }
}
class AutomationDefinitionNotFoundException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#AutomationDefinitionNotFoundException";
    name = "AutomationDefinitionNotFoundException";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "AutomationDefinitionNotFoundException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, AutomationDefinitionNotFoundException.prototype);
        this.Message = opts.Message;
    }
}
class AutomationDefinitionVersionNotFoundException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#AutomationDefinitionVersionNotFoundException";
    name = "AutomationDefinitionVersionNotFoundException";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "AutomationDefinitionVersionNotFoundException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, AutomationDefinitionVersionNotFoundException.prototype);
        this.Message = opts.Message;
    }
}
class AutomationExecutionLimitExceededException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#AutomationExecutionLimitExceededException";
    name = "AutomationExecutionLimitExceededException";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "AutomationExecutionLimitExceededException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, AutomationExecutionLimitExceededException.prototype);
        this.Message = opts.Message;
    }
}
class InvalidAutomationExecutionParametersException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#InvalidAutomationExecutionParametersException";
    name = "InvalidAutomationExecutionParametersException";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "InvalidAutomationExecutionParametersException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, InvalidAutomationExecutionParametersException.prototype);
        this.Message = opts.Message;
    }
}
class AutomationDefinitionNotApprovedException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#AutomationDefinitionNotApprovedException";
    name = "AutomationDefinitionNotApprovedException";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "AutomationDefinitionNotApprovedException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, AutomationDefinitionNotApprovedException.prototype);
        this.Message = opts.Message;
    }
}
class TargetNotConnected extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#TargetNotConnected";
    name = "TargetNotConnected";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "TargetNotConnected",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, TargetNotConnected.prototype);
        this.Message = opts.Message;
    }
}
class InvalidAutomationStatusUpdateException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#InvalidAutomationStatusUpdateException";
    name = "InvalidAutomationStatusUpdateException";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "InvalidAutomationStatusUpdateException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, InvalidAutomationStatusUpdateException.prototype);
        this.Message = opts.Message;
    }
}
class AssociationVersionLimitExceeded extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#AssociationVersionLimitExceeded";
    name = "AssociationVersionLimitExceeded";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "AssociationVersionLimitExceeded",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, AssociationVersionLimitExceeded.prototype);
        this.Message = opts.Message;
    }
}
class InvalidUpdate extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#InvalidUpdate";
    name = "InvalidUpdate";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "InvalidUpdate",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, InvalidUpdate.prototype);
        this.Message = opts.Message;
    }
}
class StatusUnchanged extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#StatusUnchanged";
    name = "StatusUnchanged";
    $fault = "client";
    constructor(opts) {
        super({
            name: "StatusUnchanged",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, StatusUnchanged.prototype);
    }
}
class DocumentVersionLimitExceeded extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#DocumentVersionLimitExceeded";
    name = "DocumentVersionLimitExceeded";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "DocumentVersionLimitExceeded",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, DocumentVersionLimitExceeded.prototype);
        this.Message = opts.Message;
    }
}
class DuplicateDocumentContent extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#DuplicateDocumentContent";
    name = "DuplicateDocumentContent";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "DuplicateDocumentContent",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, DuplicateDocumentContent.prototype);
        this.Message = opts.Message;
    }
}
class DuplicateDocumentVersionName extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#DuplicateDocumentVersionName";
    name = "DuplicateDocumentVersionName";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "DuplicateDocumentVersionName",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, DuplicateDocumentVersionName.prototype);
        this.Message = opts.Message;
    }
}
class OpsMetadataKeyLimitExceededException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#OpsMetadataKeyLimitExceededException";
    name = "OpsMetadataKeyLimitExceededException";
    $fault = "client";
    constructor(opts) {
        super({
            name: "OpsMetadataKeyLimitExceededException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, OpsMetadataKeyLimitExceededException.prototype);
    }
}
class ResourceDataSyncConflictException extends SSMServiceException {
    static shapeId = "com.amazonaws.ssm#ResourceDataSyncConflictException";
    name = "ResourceDataSyncConflictException";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "ResourceDataSyncConflictException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, ResourceDataSyncConflictException.prototype);
        this.Message = opts.Message;
    }
}

const _A = "Activation";
const _AA = "AutoApprove";
const _AAD = "ApproveAfterDays";
const _AAE = "AssociationAlreadyExists";
const _AC = "AlarmConfiguration";
const _ACL = "AttachmentContentList";
const _ACc = "ActivationCode";
const _ACt = "AttachmentContent";
const _ACtt = "AttachmentsContent";
const _ACz = "AzureConfiguration";
const _AD = "AssociationDescription";
const _ADAR = "AssociationDispatchAssumeRole";
const _ADE = "AccessDeniedException";
const _ADL = "AssociationDescriptionList";
const _ADN = "ApplicationDisplayName";
const _ADNAE = "AutomationDefinitionNotApprovedException";
const _ADNE = "AssociationDoesNotExist";
const _ADNFE = "AutomationDefinitionNotFoundException";
const _ADVNFE = "AutomationDefinitionVersionNotFoundException";
const _ADp = "ApprovalDate";
const _AE = "AssociationExecution";
const _AEDNE = "AssociationExecutionDoesNotExist";
const _AEE = "AlreadyExistsException";
const _AEF = "AssociationExecutionFilter";
const _AEFL = "AssociationExecutionFilterList";
const _AEFLu = "AutomationExecutionFilterList";
const _AEFu = "AutomationExecutionFilter";
const _AEI = "AutomationExecutionId";
const _AEIu = "AutomationExecutionInputs";
const _AEL = "AssociationExecutionsList";
const _AELEE = "AutomationExecutionLimitExceededException";
const _AEM = "AutomationExecutionMetadata";
const _AEML = "AutomationExecutionMetadataList";
const _AENFE = "AutomationExecutionNotFoundException";
const _AEP = "AutomationExecutionPreview";
const _AES = "AutomationExecutionStatus";
const _AET = "AssociationExecutionTarget";
const _AETF = "AssociationExecutionTargetsFilter";
const _AETFL = "AssociationExecutionTargetsFilterList";
const _AETL = "AssociationExecutionTargetsList";
const _AETc = "ActualEndTime";
const _AETs = "AssociationExecutionTargets";
const _AEs = "AssociationExecutions";
const _AEu = "AutomationExecution";
const _AF = "AssociationFilter";
const _AFL = "AssociationFilterList";
const _AI = "AssociatedInstances";
const _AIL = "AccountIdList";
const _AILt = "AttachmentInformationList";
const _AITA = "AccountIdsToAdd";
const _AITR = "AccountIdsToRemove";
const _AIc = "AccountId";
const _AIcc = "AccountIds";
const _AIct = "ActivationId";
const _AId = "AdditionalInfo";
const _AIdv = "AdvisoryIds";
const _AIp = "ApplicationId";
const _AIs = "AssociationId";
const _AIss = "AssociationIds";
const _AIt = "AttachmentInformation";
const _AItt = "AttachmentsInformation";
const _AKI = "AccessKeyId";
const _AKST = "AccessKeySecretType";
const _AL = "ActivationList";
const _ALE = "AssociationLimitExceeded";
const _ALl = "AlarmList";
const _ALs = "AssociationList";
const _AN = "AssociationName";
const _ANt = "AttributeName";
const _AO = "AssociationOverview";
const _AOACI = "ApplyOnlyAtCronInterval";
const _AOIRI = "AssociateOpsItemRelatedItem";
const _AOIRIR = "AssociateOpsItemRelatedItemRequest";
const _AOIRIRs = "AssociateOpsItemRelatedItemResponse";
const _AOS = "AwsOrganizationsSource";
const _AP = "ApprovedPatches";
const _APCL = "ApprovedPatchesComplianceLevel";
const _APENS = "ApprovedPatchesEnableNonSecurity";
const _APM = "AutomationParameterMap";
const _APl = "AllowedPattern";
const _AR = "ApprovalRules";
const _ARI = "AccessRequestId";
const _ARN = "ARN";
const _ARS = "AccessRequestStatus";
const _AS = "AssociationStatus";
const _ASAC = "AssociationStatusAggregatedCount";
const _ASI = "AccountSharingInfo";
const _ASIL = "AccountSharingInfoList";
const _ASILl = "AlarmStateInformationList";
const _ASIl = "AlarmStateInformation";
const _ASL = "AttachmentsSourceList";
const _ASLz = "AzureSubscriptionList";
const _ASNFE = "AutomationStepNotFoundException";
const _AST = "ActualStartTime";
const _ASUC = "AvailableSecurityUpdateCount";
const _ASUCS = "AvailableSecurityUpdatesComplianceStatus";
const _ASt = "AttachmentsSource";
const _ASu = "AutomationSubtype";
const _ASz = "AzureSubscription";
const _AT = "AssociationType";
const _ATPN = "AutomationTargetParameterName";
const _ATTR = "AddTagsToResource";
const _ATTRR = "AddTagsToResourceRequest";
const _ATTRRd = "AddTagsToResourceResult";
const _ATc = "AccessType";
const _ATg = "AgentType";
const _ATgg = "AggregatorType";
const _ATt = "AtTime";
const _ATu = "AutomationType";
const _ATut = "AutomationTargets";
const _AUD = "ApproveUntilDate";
const _AUT = "AllowUnassociatedTargets";
const _AV = "AssociationVersion";
const _AVI = "AssociationVersionInfo";
const _AVL = "AssociationVersionList";
const _AVLE = "AssociationVersionLimitExceeded";
const _AVg = "AgentVersion";
const _AVp = "ApprovedVersion";
const _AVs = "AssociationVersions";
const _AWSKMSKARN = "AWSKMSKeyARN";
const _AZ = "AvailabilityZone";
const _AZI = "AvailabilityZoneId";
const _Ac = "Action";
const _Acc = "Accounts";
const _Ag = "Aggregators";
const _Agg = "Aggregator";
const _Al = "Alarm";
const _Ala = "Alarms";
const _Ar = "Architecture";
const _Arc = "Arch";
const _Arn = "Arn";
const _As = "Association";
const _Ass = "Associations";
const _At = "Attachments";
const _Att = "Attributes";
const _Attr = "Attribute";
const _Au = "Author";
const _Aut = "Automation";
const _BD = "BaselineDescription";
const _BI = "BaselineId";
const _BIa = "BaselineIdentities";
const _BIas = "BaselineIdentity";
const _BIu = "BugzillaIds";
const _BN = "BaselineName";
const _BNu = "BucketName";
const _BO = "BaselineOverride";
const _C = "Command";
const _CA = "CurrentAction";
const _CAB = "CreateAssociationBatch";
const _CABR = "CreateAssociationBatchRequest";
const _CABRE = "CreateAssociationBatchRequestEntry";
const _CABREr = "CreateAssociationBatchRequestEntries";
const _CABRr = "CreateAssociationBatchResult";
const _CAR = "CreateActivationRequest";
const _CARr = "CreateActivationResult";
const _CARre = "CreateAssociationRequest";
const _CARrea = "CreateAssociationResult";
const _CAr = "CreatedAt";
const _CAre = "CreateActivation";
const _CArea = "CreateAssociation";
const _CB = "CutoffBehavior";
const _CBr = "CreatedBy";
const _CC = "CompletedCount";
const _CCA = "ConfigConnectorArn";
const _CCAl = "CloudConnectorArn";
const _CCC = "CloudConnectorConfiguration";
const _CCCR = "CreateCloudConnectorRequest";
const _CCCRr = "CreateCloudConnectorResult";
const _CCCr = "CreateCloudConnector";
const _CCF = "CloudConnectorFilter";
const _CCFL = "CloudConnectorFilterList";
const _CCI = "CloudConnectorId";
const _CCR = "CancelCommandRequest";
const _CCRa = "CancelCommandResult";
const _CCS = "CloudConnectorSummary";
const _CCSL = "CloudConnectorSummaryList";
const _CCa = "CancelCommand";
const _CCl = "CloudConnectors";
const _CCli = "ClientContext";
const _CCo = "CompliantCount";
const _CCr = "CriticalCount";
const _CD = "CreatedDate";
const _CDR = "CreateDocumentRequest";
const _CDRr = "CreateDocumentResult";
const _CDh = "ChangeDetails";
const _CDr = "CreationDate";
const _CDre = "CreateDocument";
const _CE = "ConflictException";
const _CES = "ComplianceExecutionSummary";
const _CEa = "CategoryEnum";
const _CF = "CommandFilter";
const _CFL = "CommandFilterList";
const _CFo = "ComplianceFilter";
const _CH = "ContentHash";
const _CI = "CommandId";
const _CIE = "ComplianceItemEntry";
const _CIEL = "ComplianceItemEntryList";
const _CIL = "CommandInvocationList";
const _CILo = "ComplianceItemList";
const _CIo = "CommandInvocation";
const _CIom = "ComplianceItem";
const _CIomm = "CommandInvocations";
const _CIomp = "ComplianceItems";
const _CL = "ComplianceLevel";
const _CLo = "CommandList";
const _CMW = "CreateMaintenanceWindow";
const _CMWE = "CancelMaintenanceWindowExecution";
const _CMWER = "CancelMaintenanceWindowExecutionRequest";
const _CMWERa = "CancelMaintenanceWindowExecutionResult";
const _CMWR = "CreateMaintenanceWindowRequest";
const _CMWRr = "CreateMaintenanceWindowResult";
const _CN = "CalendarNames";
const _CNCC = "CriticalNonCompliantCount";
const _CNo = "ComputerName";
const _COI = "CreateOpsItem";
const _COIR = "CreateOpsItemRequest";
const _COIRr = "CreateOpsItemResponse";
const _COM = "CreateOpsMetadata";
const _COMR = "CreateOpsMetadataRequest";
const _COMRr = "CreateOpsMetadataResult";
const _CP = "CommandPlugins";
const _CPB = "CreatePatchBaseline";
const _CPBR = "CreatePatchBaselineRequest";
const _CPBRr = "CreatePatchBaselineResult";
const _CPL = "CommandPluginList";
const _CPo = "CommandPlugin";
const _CRDS = "CreateResourceDataSync";
const _CRDSR = "CreateResourceDataSyncRequest";
const _CRDSRr = "CreateResourceDataSyncResult";
const _CRN = "ChangeRequestName";
const _CS = "ComplianceSeverity";
const _CSCLEE = "CustomSchemaCountLimitExceededException";
const _CSF = "ComplianceStringFilter";
const _CSFL = "ComplianceStringFilterList";
const _CSFVL = "ComplianceStringFilterValueList";
const _CSI = "ComplianceSummaryItem";
const _CSIL = "ComplianceSummaryItemList";
const _CSIo = "ComplianceSummaryItems";
const _CSN = "CurrentStepName";
const _CSa = "CancelledSteps";
const _CSo = "CompliantSummary";
const _CT = "CreatedTime";
const _CTCLEE = "ComplianceTypeCountLimitExceededException";
const _CTa = "CaptureTime";
const _CTl = "ClientToken";
const _CTo = "ComplianceType";
const _CTon = "ConfigurationTargets";
const _CTr = "CreateTime";
const _CU = "ContentUrl";
const _CVEI = "CVEIds";
const _CWLGN = "CloudWatchLogGroupName";
const _CWOC = "CloudWatchOutputConfig";
const _CWOE = "CloudWatchOutputEnabled";
const _CWOU = "CloudWatchOutputUrl";
const _Ca = "Category";
const _Cl = "Classification";
const _Co = "Comment";
const _Cod = "Code";
const _Com = "Commands";
const _Con = "Configuration";
const _Cont = "Content";
const _Conte = "Context";
const _Cou = "Count";
const _Cr = "Credentials";
const _Cu = "Cutoff";
const _D = "Description";
const _DA = "DeleteActivation";
const _DAE = "DocumentAlreadyExists";
const _DAER = "DescribeAssociationExecutionsRequest";
const _DAERe = "DescribeAssociationExecutionsResult";
const _DAERes = "DescribeAutomationExecutionsRequest";
const _DAEResc = "DescribeAutomationExecutionsResult";
const _DAET = "DescribeAssociationExecutionTargets";
const _DAETR = "DescribeAssociationExecutionTargetsRequest";
const _DAETRe = "DescribeAssociationExecutionTargetsResult";
const _DAEe = "DescribeAssociationExecutions";
const _DAEes = "DescribeAutomationExecutions";
const _DAF = "DescribeActivationsFilter";
const _DAFL = "DescribeActivationsFilterList";
const _DAP = "DescribeAvailablePatches";
const _DAPR = "DescribeAvailablePatchesRequest";
const _DAPRe = "DescribeAvailablePatchesResult";
const _DAR = "DeleteActivationRequest";
const _DARe = "DeleteActivationResult";
const _DARel = "DeleteAssociationRequest";
const _DARele = "DeleteAssociationResult";
const _DARes = "DescribeActivationsRequest";
const _DAResc = "DescribeActivationsResult";
const _DARescr = "DescribeAssociationRequest";
const _DARescri = "DescribeAssociationResult";
const _DASE = "DescribeAutomationStepExecutions";
const _DASER = "DescribeAutomationStepExecutionsRequest";
const _DASERe = "DescribeAutomationStepExecutionsResult";
const _DAe = "DeleteAssociation";
const _DAes = "DescribeActivations";
const _DAesc = "DescribeAssociation";
const _DB = "DefaultBaseline";
const _DCC = "DeleteCloudConnector";
const _DCCR = "DeleteCloudConnectorRequest";
const _DCCRe = "DeleteCloudConnectorResult";
const _DD = "DocumentDescription";
const _DDC = "DuplicateDocumentContent";
const _DDHMC = "DeregisterDefaultHostManagementConfiguration";
const _DDHMCR = "DeregisterDefaultHostManagementConfigurationRequest";
const _DDHMCRe = "DeregisterDefaultHostManagementConfigurationResult";
const _DDP = "DescribeDocumentPermission";
const _DDPR = "DescribeDocumentPermissionRequest";
const _DDPRe = "DescribeDocumentPermissionResponse";
const _DDR = "DeleteDocumentRequest";
const _DDRe = "DeleteDocumentResult";
const _DDRes = "DescribeDocumentRequest";
const _DDResc = "DescribeDocumentResult";
const _DDS = "DestinationDataSharing";
const _DDST = "DestinationDataSharingType";
const _DDVD = "DocumentDefaultVersionDescription";
const _DDVN = "DuplicateDocumentVersionName";
const _DDe = "DeleteDocument";
const _DDes = "DescribeDocument";
const _DEIA = "DescribeEffectiveInstanceAssociations";
const _DEIAR = "DescribeEffectiveInstanceAssociationsRequest";
const _DEIARe = "DescribeEffectiveInstanceAssociationsResult";
const _DEPFPB = "DescribeEffectivePatchesForPatchBaseline";
const _DEPFPBR = "DescribeEffectivePatchesForPatchBaselineRequest";
const _DEPFPBRe = "DescribeEffectivePatchesForPatchBaselineResult";
const _DF = "DocumentFormat";
const _DFL = "DocumentFilterList";
const _DFo = "DocumentFilter";
const _DH = "DocumentHash";
const _DHT = "DocumentHashType";
const _DI = "DeletionId";
const _DIAS = "DescribeInstanceAssociationsStatus";
const _DIASR = "DescribeInstanceAssociationsStatusRequest";
const _DIASRe = "DescribeInstanceAssociationsStatusResult";
const _DID = "DescribeInventoryDeletions";
const _DIDR = "DescribeInventoryDeletionsRequest";
const _DIDRe = "DescribeInventoryDeletionsResult";
const _DII = "DuplicateInstanceId";
const _DIIR = "DescribeInstanceInformationRequest";
const _DIIRe = "DescribeInstanceInformationResult";
const _DIIe = "DescribeInstanceInformation";
const _DIL = "DocumentIdentifierList";
const _DIN = "DefaultInstanceName";
const _DIP = "DescribeInstancePatches";
const _DIPR = "DescribeInstancePatchesRequest";
const _DIPRe = "DescribeInstancePatchesResult";
const _DIPRes = "DescribeInstancePropertiesRequest";
const _DIPResc = "DescribeInstancePropertiesResult";
const _DIPS = "DescribeInstancePatchStates";
const _DIPSFPG = "DescribeInstancePatchStatesForPatchGroup";
const _DIPSFPGR = "DescribeInstancePatchStatesForPatchGroupRequest";
const _DIPSFPGRe = "DescribeInstancePatchStatesForPatchGroupResult";
const _DIPSR = "DescribeInstancePatchStatesRequest";
const _DIPSRe = "DescribeInstancePatchStatesResult";
const _DIPe = "DescribeInstanceProperties";
const _DIR = "DeleteInventoryRequest";
const _DIRe = "DeleteInventoryResult";
const _DIe = "DeleteInventory";
const _DIo = "DocumentIdentifier";
const _DIoc = "DocumentIdentifiers";
const _DKVF = "DocumentKeyValuesFilter";
const _DKVFL = "DocumentKeyValuesFilterList";
const _DLE = "DocumentLimitExceeded";
const _DM = "DeletionMode";
const _DMI = "DeregisterManagedInstance";
const _DMIR = "DeregisterManagedInstanceRequest";
const _DMIRe = "DeregisterManagedInstanceResult";
const _DMRI = "DocumentMetadataResponseInfo";
const _DMW = "DeleteMaintenanceWindow";
const _DMWE = "DescribeMaintenanceWindowExecutions";
const _DMWER = "DescribeMaintenanceWindowExecutionsRequest";
const _DMWERe = "DescribeMaintenanceWindowExecutionsResult";
const _DMWET = "DescribeMaintenanceWindowExecutionTasks";
const _DMWETI = "DescribeMaintenanceWindowExecutionTaskInvocations";
const _DMWETIR = "DescribeMaintenanceWindowExecutionTaskInvocationsRequest";
const _DMWETIRe = "DescribeMaintenanceWindowExecutionTaskInvocationsResult";
const _DMWETR = "DescribeMaintenanceWindowExecutionTasksRequest";
const _DMWETRe = "DescribeMaintenanceWindowExecutionTasksResult";
const _DMWFT = "DescribeMaintenanceWindowsForTarget";
const _DMWFTR = "DescribeMaintenanceWindowsForTargetRequest";
const _DMWFTRe = "DescribeMaintenanceWindowsForTargetResult";
const _DMWR = "DeleteMaintenanceWindowRequest";
const _DMWRe = "DeleteMaintenanceWindowResult";
const _DMWRes = "DescribeMaintenanceWindowsRequest";
const _DMWResc = "DescribeMaintenanceWindowsResult";
const _DMWS = "DescribeMaintenanceWindowSchedule";
const _DMWSR = "DescribeMaintenanceWindowScheduleRequest";
const _DMWSRe = "DescribeMaintenanceWindowScheduleResult";
const _DMWT = "DescribeMaintenanceWindowTargets";
const _DMWTR = "DescribeMaintenanceWindowTargetsRequest";
const _DMWTRe = "DescribeMaintenanceWindowTargetsResult";
const _DMWTRes = "DescribeMaintenanceWindowTasksRequest";
const _DMWTResc = "DescribeMaintenanceWindowTasksResult";
const _DMWTe = "DescribeMaintenanceWindowTasks";
const _DMWe = "DescribeMaintenanceWindows";
const _DN = "DocumentName";
const _DNEE = "DoesNotExistException";
const _DNi = "DisplayName";
const _DOI = "DeleteOpsItem";
const _DOIR = "DeleteOpsItemRequest";
const _DOIRI = "DisassociateOpsItemRelatedItem";
const _DOIRIR = "DisassociateOpsItemRelatedItemRequest";
const _DOIRIRi = "DisassociateOpsItemRelatedItemResponse";
const _DOIRe = "DeleteOpsItemResponse";
const _DOIRes = "DescribeOpsItemsRequest";
const _DOIResc = "DescribeOpsItemsResponse";
const _DOIe = "DescribeOpsItems";
const _DOM = "DeleteOpsMetadata";
const _DOMR = "DeleteOpsMetadataRequest";
const _DOMRe = "DeleteOpsMetadataResult";
const _DP = "DeletedParameters";
const _DPB = "DeletePatchBaseline";
const _DPBFPG = "DeregisterPatchBaselineForPatchGroup";
const _DPBFPGR = "DeregisterPatchBaselineForPatchGroupRequest";
const _DPBFPGRe = "DeregisterPatchBaselineForPatchGroupResult";
const _DPBR = "DeletePatchBaselineRequest";
const _DPBRe = "DeletePatchBaselineResult";
const _DPBRes = "DescribePatchBaselinesRequest";
const _DPBResc = "DescribePatchBaselinesResult";
const _DPBe = "DescribePatchBaselines";
const _DPG = "DescribePatchGroups";
const _DPGR = "DescribePatchGroupsRequest";
const _DPGRe = "DescribePatchGroupsResult";
const _DPGS = "DescribePatchGroupState";
const _DPGSR = "DescribePatchGroupStateRequest";
const _DPGSRe = "DescribePatchGroupStateResult";
const _DPL = "DocumentPermissionLimit";
const _DPLo = "DocumentParameterList";
const _DPP = "DescribePatchProperties";
const _DPPR = "DescribePatchPropertiesRequest";
const _DPPRe = "DescribePatchPropertiesResult";
const _DPR = "DeleteParameterRequest";
const _DPRe = "DeleteParameterResult";
const _DPRel = "DeleteParametersRequest";
const _DPRele = "DeleteParametersResult";
const _DPRes = "DescribeParametersRequest";
const _DPResc = "DescribeParametersResult";
const _DPe = "DeleteParameter";
const _DPel = "DeleteParameters";
const _DPes = "DescribeParameters";
const _DPo = "DocumentParameter";
const _DR = "DryRun";
const _DRCL = "DocumentReviewCommentList";
const _DRCS = "DocumentReviewCommentSource";
const _DRDS = "DeleteResourceDataSync";
const _DRDSR = "DeleteResourceDataSyncRequest";
const _DRDSRe = "DeleteResourceDataSyncResult";
const _DRL = "DocumentRequiresList";
const _DRP = "DeleteResourcePolicy";
const _DRPR = "DeleteResourcePolicyRequest";
const _DRPRe = "DeleteResourcePolicyResponse";
const _DRRL = "DocumentReviewerResponseList";
const _DRRS = "DocumentReviewerResponseSource";
const _DRo = "DocumentRequires";
const _DRoc = "DocumentReviews";
const _DS = "DetailedStatus";
const _DSR = "DescribeSessionsRequest";
const _DSRe = "DescribeSessionsResponse";
const _DST = "DeletionStartTime";
const _DSe = "DeletionSummary";
const _DSep = "DeploymentStatus";
const _DSes = "DescribeSessions";
const _DT = "DocumentType";
const _DTFMW = "DeregisterTargetFromMaintenanceWindow";
const _DTFMWR = "DeregisterTargetFromMaintenanceWindowRequest";
const _DTFMWRe = "DeregisterTargetFromMaintenanceWindowResult";
const _DTFMWRer = "DeregisterTaskFromMaintenanceWindowRequest";
const _DTFMWRere = "DeregisterTaskFromMaintenanceWindowResult";
const _DTFMWe = "DeregisterTaskFromMaintenanceWindow";
const _DTOC = "DeliveryTimedOutCount";
const _DTa = "DataType";
const _DTe = "DetailType";
const _DV = "DocumentVersion";
const _DVI = "DocumentVersionInfo";
const _DVL = "DocumentVersionList";
const _DVLE = "DocumentVersionLimitExceeded";
const _DVN = "DefaultVersionName";
const _DVe = "DefaultVersion";
const _DVef = "DefaultValue";
const _DVo = "DocumentVersions";
const _Da = "Date";
const _Dat = "Data";
const _De = "Details";
const _Det = "Detail";
const _Do = "Document";
const _Du = "Duration";
const _E = "Expired";
const _EA = "ExpiresAfter";
const _EAODS = "EnableAllOpsDataSources";
const _EAn = "EndedAt";
const _EAx = "ExcludeAccounts";
const _EB = "ExecutedBy";
const _EC = "ErrorCount";
const _ECr = "ErrorCode";
const _ED = "ExpirationDate";
const _EDn = "EndDate";
const _EDx = "ExecutionDate";
const _EEDT = "ExecutionEndDateTime";
const _EET = "ExecutionEndTime";
const _EETx = "ExecutionElapsedTime";
const _EI = "ExecutionId";
const _EIv = "EventId";
const _EIx = "ExecutionInputs";
const _ENS = "EnableNonSecurity";
const _EP = "EffectivePatches";
const _EPI = "ExecutionPreviewId";
const _EPL = "EffectivePatchList";
const _EPf = "EffectivePatch";
const _EPx = "ExecutionPreview";
const _ERN = "ExecutionRoleName";
const _ES = "ExecutionSummary";
const _ESDT = "ExecutionStartDateTime";
const _EST = "ExecutionStartTime";
const _ET = "ExecutionTime";
const _ETn = "EndTime";
const _ETx = "ExecutionType";
const _ETxp = "ExpirationTime";
const _En = "Entries";
const _Ena = "Enabled";
const _Ent = "Entry";
const _Enti = "Entities";
const _Entit = "Entity";
const _Ep = "Epoch";
const _Ex = "Expression";
const _F = "Failed";
const _FC = "FailedCount";
const _FCA = "FailedCreateAssociation";
const _FCAE = "FailedCreateAssociationEntry";
const _FCAL = "FailedCreateAssociationList";
const _FD = "FailureDetails";
const _FK = "FilterKey";
const _FM = "FailureMessage";
const _FNAE = "FeatureNotAvailableException";
const _FS = "FailureStage";
const _FSa = "FailedSteps";
const _FT = "FailureType";
const _FV = "FilterValues";
const _FVi = "FilterValue";
const _FWO = "FiltersWithOperator";
const _Fa = "Fault";
const _Fi = "Filters";
const _Fo = "Force";
const _G = "Groups";
const _GAE = "GetAutomationExecution";
const _GAER = "GetAutomationExecutionRequest";
const _GAERe = "GetAutomationExecutionResult";
const _GAT = "GetAccessToken";
const _GATR = "GetAccessTokenRequest";
const _GATRe = "GetAccessTokenResponse";
const _GC = "GcpConfiguration";
const _GCC = "GetCloudConnector";
const _GCCR = "GetCloudConnectorRequest";
const _GCCRe = "GetCloudConnectorResult";
const _GCI = "GetCommandInvocation";
const _GCIR = "GetCommandInvocationRequest";
const _GCIRe = "GetCommandInvocationResult";
const _GCS = "GetCalendarState";
const _GCSR = "GetCalendarStateRequest";
const _GCSRe = "GetCalendarStateResponse";
const _GCSRet = "GetConnectionStatusRequest";
const _GCSReto = "GetConnectionStatusResponse";
const _GCSe = "GetConnectionStatus";
const _GCT = "GcpConfigurationTargets";
const _GD = "GetDocument";
const _GDPB = "GetDefaultPatchBaseline";
const _GDPBR = "GetDefaultPatchBaselineRequest";
const _GDPBRe = "GetDefaultPatchBaselineResult";
const _GDPSFI = "GetDeployablePatchSnapshotForInstance";
const _GDPSFIR = "GetDeployablePatchSnapshotForInstanceRequest";
const _GDPSFIRe = "GetDeployablePatchSnapshotForInstanceResult";
const _GDR = "GetDocumentRequest";
const _GDRe = "GetDocumentResult";
const _GEP = "GetExecutionPreview";
const _GEPR = "GetExecutionPreviewRequest";
const _GEPRe = "GetExecutionPreviewResponse";
const _GF = "GlobalFilters";
const _GI = "GetInventory";
const _GIR = "GetInventoryRequest";
const _GIRe = "GetInventoryResult";
const _GIS = "GetInventorySchema";
const _GISR = "GetInventorySchemaRequest";
const _GISRe = "GetInventorySchemaResult";
const _GMW = "GetMaintenanceWindow";
const _GMWE = "GetMaintenanceWindowExecution";
const _GMWER = "GetMaintenanceWindowExecutionRequest";
const _GMWERe = "GetMaintenanceWindowExecutionResult";
const _GMWET = "GetMaintenanceWindowExecutionTask";
const _GMWETI = "GetMaintenanceWindowExecutionTaskInvocation";
const _GMWETIR = "GetMaintenanceWindowExecutionTaskInvocationRequest";
const _GMWETIRe = "GetMaintenanceWindowExecutionTaskInvocationResult";
const _GMWETR = "GetMaintenanceWindowExecutionTaskRequest";
const _GMWETRe = "GetMaintenanceWindowExecutionTaskResult";
const _GMWR = "GetMaintenanceWindowRequest";
const _GMWRe = "GetMaintenanceWindowResult";
const _GMWT = "GetMaintenanceWindowTask";
const _GMWTR = "GetMaintenanceWindowTaskRequest";
const _GMWTRe = "GetMaintenanceWindowTaskResult";
const _GOI = "GetOpsItem";
const _GOIR = "GetOpsItemRequest";
const _GOIRe = "GetOpsItemResponse";
const _GOM = "GetOpsMetadata";
const _GOMR = "GetOpsMetadataRequest";
const _GOMRe = "GetOpsMetadataResult";
const _GOS = "GetOpsSummary";
const _GOSR = "GetOpsSummaryRequest";
const _GOSRe = "GetOpsSummaryResult";
const _GP = "GcpProject";
const _GPB = "GetPatchBaseline";
const _GPBFPG = "GetPatchBaselineForPatchGroup";
const _GPBFPGR = "GetPatchBaselineForPatchGroupRequest";
const _GPBFPGRe = "GetPatchBaselineForPatchGroupResult";
const _GPBP = "GetParametersByPath";
const _GPBPR = "GetParametersByPathRequest";
const _GPBPRe = "GetParametersByPathResult";
const _GPBR = "GetPatchBaselineRequest";
const _GPBRe = "GetPatchBaselineResult";
const _GPH = "GetParameterHistory";
const _GPHR = "GetParameterHistoryRequest";
const _GPHRe = "GetParameterHistoryResult";
const _GPL = "GcpProjectList";
const _GPR = "GetParameterRequest";
const _GPRe = "GetParameterResult";
const _GPRet = "GetParametersRequest";
const _GPReta = "GetParametersResult";
const _GPe = "GetParameter";
const _GPet = "GetParameters";
const _GRP = "GetResourcePolicies";
const _GRPR = "GetResourcePoliciesRequest";
const _GRPRE = "GetResourcePoliciesResponseEntry";
const _GRPREe = "GetResourcePoliciesResponseEntries";
const _GRPRe = "GetResourcePoliciesResponse";
const _GSS = "GetServiceSetting";
const _GSSR = "GetServiceSettingRequest";
const _GSSRe = "GetServiceSettingResult";
const _H = "Hash";
const _HC = "HighCount";
const _HLLEE = "HierarchyLevelLimitExceededException";
const _HT = "HashType";
const _HTME = "HierarchyTypeMismatchException";
const _I = "Id";
const _IA = "InvalidActivation";
const _IAAO = "InstanceAggregatedAssociationOverview";
const _IAE = "InvalidAggregatorException";
const _IAEPE = "InvalidAutomationExecutionParametersException";
const _IAI = "InvalidActivationId";
const _IAL = "InstanceAssociationList";
const _IALn = "InventoryAggregatorList";
const _IAOL = "InstanceAssociationOutputLocation";
const _IAOU = "InstanceAssociationOutputUrl";
const _IAPE = "InvalidAllowedPatternException";
const _IASAC = "InstanceAssociationStatusAggregatedCount";
const _IASE = "InvalidAutomationSignalException";
const _IASI = "InstanceAssociationStatusInfos";
const _IASIn = "InstanceAssociationStatusInfo";
const _IASUE = "InvalidAutomationStatusUpdateException";
const _IAV = "InvalidAssociationVersion";
const _IAn = "InvalidAssociation";
const _IAns = "InstanceAssociation";
const _IAnv = "InventoryAggregator";
const _IAp = "IpAddress";
const _IC = "InstalledCount";
const _ICH = "ItemContentHash";
const _ICI = "InvalidCommandId";
const _ICME = "ItemContentMismatchException";
const _ICOU = "IncludeChildOrganizationUnits";
const _ICn = "InformationalCount";
const _ICs = "IsCritical";
const _ID = "InvalidDocument";
const _IDC = "InvalidDocumentContent";
const _IDIE = "InvalidDeletionIdException";
const _IDIPE = "InvalidDeleteInventoryParametersException";
const _IDL = "InventoryDeletionsList";
const _IDNE = "InvocationDoesNotExist";
const _IDO = "InvalidDocumentOperation";
const _IDS = "InventoryDeletionSummary";
const _IDSI = "InventoryDeletionStatusItem";
const _IDSIn = "InventoryDeletionSummaryItem";
const _IDSInv = "InventoryDeletionSummaryItems";
const _IDSV = "InvalidDocumentSchemaVersion";
const _IDT = "InvalidDocumentType";
const _IDV = "InvalidDocumentVersion";
const _IDVs = "IsDefaultVersion";
const _IDn = "InventoryDeletions";
const _IE = "IsEnd";
const _IF = "InvalidFilter";
const _IFK = "InvalidFilterKey";
const _IFL = "InventoryFilterList";
const _IFO = "InvalidFilterOption";
const _IFR = "IncludeFutureRegions";
const _IFV = "InvalidFilterValue";
const _IFVL = "InventoryFilterValueList";
const _IFn = "InventoryFilter";
const _IG = "InventoryGroup";
const _IGL = "InventoryGroupList";
const _II = "InstanceId";
const _IIA = "InventoryItemAttribute";
const _IIAL = "InventoryItemAttributeList";
const _IICE = "InvalidItemContentException";
const _IIEL = "InventoryItemEntryList";
const _IIF = "InstanceInformationFilter";
const _IIFL = "InstanceInformationFilterList";
const _IIFV = "InstanceInformationFilterValue";
const _IIFVS = "InstanceInformationFilterValueSet";
const _IIGE = "InvalidInventoryGroupException";
const _III = "InvalidInstanceId";
const _IIICE = "InvalidInventoryItemContextException";
const _IIIFV = "InvalidInstanceInformationFilterValue";
const _IIL = "InstanceInformationList";
const _IILn = "InventoryItemList";
const _IIPFV = "InvalidInstancePropertyFilterValue";
const _IIRE = "InvalidInventoryRequestException";
const _IIS = "InventoryItemSchema";
const _IISF = "InstanceInformationStringFilter";
const _IISFL = "InstanceInformationStringFilterList";
const _IISRL = "InventoryItemSchemaResultList";
const _IIn = "InstanceIds";
const _IIns = "InstanceInfo";
const _IInst = "InstanceInformation";
const _IInv = "InvocationId";
const _IInve = "InventoryItem";
const _IKI = "InvalidKeyId";
const _IL = "InvalidLabels";
const _ILV = "IsLatestVersion";
const _IN = "InstanceName";
const _INC = "InvalidNotificationConfig";
const _INT = "InvalidNextToken";
const _IOC = "InstalledOtherCount";
const _IOE = "InvalidOptionException";
const _IOF = "InvalidOutputFolder";
const _IOL = "InvalidOutputLocation";
const _IOLn = "InstallOverrideList";
const _IP = "InvalidParameters";
const _IPA = "IPAddress";
const _IPAE = "InvalidPolicyAttributeException";
const _IPAF = "IgnorePollAlarmFailure";
const _IPE = "IncompatiblePolicyException";
const _IPF = "InstancePropertyFilter";
const _IPFL = "InstancePropertyFilterList";
const _IPFV = "InstancePropertyFilterValue";
const _IPFVS = "InstancePropertyFilterValueSet";
const _IPM = "IdempotentParameterMismatch";
const _IPN = "InvalidPluginName";
const _IPRC = "InstalledPendingRebootCount";
const _IPS = "InstancePatchStates";
const _IPSF = "InstancePatchStateFilter";
const _IPSFL = "InstancePatchStateFilterList";
const _IPSFLn = "InstancePropertyStringFilterList";
const _IPSFn = "InstancePropertyStringFilter";
const _IPSL = "InstancePatchStateList";
const _IPSLn = "InstancePatchStatesList";
const _IPSn = "InstancePatchState";
const _IPT = "InvalidPermissionType";
const _IPTE = "InvalidPolicyTypeException";
const _IPn = "InstanceProperties";
const _IPns = "InstanceProperty";
const _IR = "InvalidRole";
const _IRAE = "InvalidResultAttributeException";
const _IRC = "InstalledRejectedCount";
const _IRE = "InventoryResultEntity";
const _IREL = "InventoryResultEntityList";
const _IRI = "InvalidResourceId";
const _IRIM = "InventoryResultItemMap";
const _IRIn = "InventoryResultItem";
const _IRT = "InvalidResourceType";
const _IRa = "IamRole";
const _IRn = "InstanceRole";
const _IS = "InvalidSchedule";
const _ISE = "InternalServerError";
const _ISLEE = "ItemSizeLimitExceededException";
const _ISn = "InstanceStatus";
const _ISns = "InstanceState";
const _IT = "InvalidTag";
const _ITM = "InvalidTargetMaps";
const _ITNE = "InvalidTypeNameException";
const _ITn = "InvalidTarget";
const _ITns = "InstanceType";
const _ITnst = "InstalledTime";
const _IU = "InvalidUpdate";
const _IV = "IteratorValue";
const _IWASU = "InstancesWithAvailableSecurityUpdates";
const _IWCNCP = "InstancesWithCriticalNonCompliantPatches";
const _IWFP = "InstancesWithFailedPatches";
const _IWIOP = "InstancesWithInstalledOtherPatches";
const _IWIP = "InstancesWithInstalledPatches";
const _IWIPRP = "InstancesWithInstalledPendingRebootPatches";
const _IWIRP = "InstancesWithInstalledRejectedPatches";
const _IWMP = "InstancesWithMissingPatches";
const _IWNAP = "InstancesWithNotApplicablePatches";
const _IWONCP = "InstancesWithOtherNonCompliantPatches";
const _IWSNCP = "InstancesWithSecurityNonCompliantPatches";
const _IWUNAP = "InstancesWithUnreportedNotApplicablePatches";
const _In = "Instances";
const _Inp = "Input";
const _Inpu = "Inputs";
const _Ins = "Instance";
const _It = "Iteration";
const _Ite = "Items";
const _Item = "Item";
const _K = "Key";
const _KBI = "KBId";
const _KI = "KeyId";
const _KN = "KeyName";
const _KNb = "KbNumber";
const _KTD = "KeysToDelete";
const _L = "Limit";
const _LA = "ListAssociations";
const _LAED = "LastAssociationExecutionDate";
const _LAR = "ListAssociationsRequest";
const _LARi = "ListAssociationsResult";
const _LAV = "ListAssociationVersions";
const _LAVR = "ListAssociationVersionsRequest";
const _LAVRi = "ListAssociationVersionsResult";
const _LC = "LowCount";
const _LCC = "ListCloudConnectors";
const _LCCR = "ListCloudConnectorsRequest";
const _LCCRi = "ListCloudConnectorsResult";
const _LCI = "ListCommandInvocations";
const _LCIR = "ListCommandInvocationsRequest";
const _LCIRi = "ListCommandInvocationsResult";
const _LCIRis = "ListComplianceItemsRequest";
const _LCIRist = "ListComplianceItemsResult";
const _LCIi = "ListComplianceItems";
const _LCR = "ListCommandsRequest";
const _LCRi = "ListCommandsResult";
const _LCS = "ListComplianceSummaries";
const _LCSR = "ListComplianceSummariesRequest";
const _LCSRi = "ListComplianceSummariesResult";
const _LCi = "ListCommands";
const _LD = "ListDocuments";
const _LDMH = "ListDocumentMetadataHistory";
const _LDMHR = "ListDocumentMetadataHistoryRequest";
const _LDMHRi = "ListDocumentMetadataHistoryResponse";
const _LDR = "ListDocumentsRequest";
const _LDRi = "ListDocumentsResult";
const _LDV = "ListDocumentVersions";
const _LDVR = "ListDocumentVersionsRequest";
const _LDVRi = "ListDocumentVersionsResult";
const _LED = "LastExecutionDate";
const _LF = "LogFile";
const _LI = "LoggingInfo";
const _LIE = "ListInventoryEntries";
const _LIER = "ListInventoryEntriesRequest";
const _LIERi = "ListInventoryEntriesResult";
const _LMB = "LastModifiedBy";
const _LMD = "LastModifiedDate";
const _LMT = "LastModifiedTime";
const _LMU = "LastModifiedUser";
const _LN = "ListNodes";
const _LNR = "ListNodesRequest";
const _LNRIOT = "LastNoRebootInstallOperationTime";
const _LNRi = "ListNodesResult";
const _LNS = "ListNodesSummary";
const _LNSR = "ListNodesSummaryRequest";
const _LNSRi = "ListNodesSummaryResult";
const _LOIE = "ListOpsItemEvents";
const _LOIER = "ListOpsItemEventsRequest";
const _LOIERi = "ListOpsItemEventsResponse";
const _LOIRI = "ListOpsItemRelatedItems";
const _LOIRIR = "ListOpsItemRelatedItemsRequest";
const _LOIRIRi = "ListOpsItemRelatedItemsResponse";
const _LOM = "ListOpsMetadata";
const _LOMR = "ListOpsMetadataRequest";
const _LOMRi = "ListOpsMetadataResult";
const _LPDT = "LastPingDateTime";
const _LPV = "LabelParameterVersion";
const _LPVR = "LabelParameterVersionRequest";
const _LPVRa = "LabelParameterVersionResult";
const _LRCS = "ListResourceComplianceSummaries";
const _LRCSR = "ListResourceComplianceSummariesRequest";
const _LRCSRi = "ListResourceComplianceSummariesResult";
const _LRDS = "ListResourceDataSync";
const _LRDSR = "ListResourceDataSyncRequest";
const _LRDSRi = "ListResourceDataSyncResult";
const _LS = "LastStatus";
const _LSAED = "LastSuccessfulAssociationExecutionDate";
const _LSED = "LastSuccessfulExecutionDate";
const _LSM = "LastStatusMessage";
const _LSSM = "LastSyncStatusMessage";
const _LSST = "LastSuccessfulSyncTime";
const _LST = "LastSyncTime";
const _LSUT = "LastStatusUpdateTime";
const _LT = "LimitType";
const _LTFR = "ListTagsForResource";
const _LTFRR = "ListTagsForResourceRequest";
const _LTFRRi = "ListTagsForResourceResult";
const _LTa = "LaunchTime";
const _LUAD = "LastUpdateAssociationDate";
const _LV = "LatestVersion";
const _La = "Labels";
const _Lam = "Lambda";
const _Lan = "Language";
const _M = "Message";
const _MA = "MaxAttempts";
const _MC = "MaxConcurrency";
const _MCe = "MediumCount";
const _MCi = "MissingCount";
const _MD = "ModifiedDate";
const _MDP = "ModifyDocumentPermission";
const _MDPR = "ModifyDocumentPermissionRequest";
const _MDPRo = "ModifyDocumentPermissionResponse";
const _MDSE = "MaxDocumentSizeExceeded";
const _ME = "MaxErrors";
const _MM = "MetadataMap";
const _MN = "MsrcNumber";
const _MR = "MaxResults";
const _MRPDE = "MalformedResourcePolicyDocumentException";
const _MS = "ManagedStatus";
const _MSD = "MaxSessionDuration";
const _MSs = "MsrcSeverity";
const _MTU = "MetadataToUpdate";
const _MV = "MetadataValue";
const _MWAP = "MaintenanceWindowAutomationParameters";
const _MWD = "MaintenanceWindowDescription";
const _MWE = "MaintenanceWindowExecution";
const _MWEL = "MaintenanceWindowExecutionList";
const _MWETI = "MaintenanceWindowExecutionTaskIdentity";
const _MWETII = "MaintenanceWindowExecutionTaskInvocationIdentity";
const _MWETIIL = "MaintenanceWindowExecutionTaskInvocationIdentityList";
const _MWETIL = "MaintenanceWindowExecutionTaskIdentityList";
const _MWETIP = "MaintenanceWindowExecutionTaskInvocationParameters";
const _MWF = "MaintenanceWindowFilter";
const _MWFL = "MaintenanceWindowFilterList";
const _MWFTL = "MaintenanceWindowsForTargetList";
const _MWI = "MaintenanceWindowIdentity";
const _MWIFT = "MaintenanceWindowIdentityForTarget";
const _MWIL = "MaintenanceWindowIdentityList";
const _MWLP = "MaintenanceWindowLambdaPayload";
const _MWLPa = "MaintenanceWindowLambdaParameters";
const _MWRCP = "MaintenanceWindowRunCommandParameters";
const _MWSFI = "MaintenanceWindowStepFunctionsInput";
const _MWSFP = "MaintenanceWindowStepFunctionsParameters";
const _MWT = "MaintenanceWindowTarget";
const _MWTIP = "MaintenanceWindowTaskInvocationParameters";
const _MWTL = "MaintenanceWindowTargetList";
const _MWTLa = "MaintenanceWindowTaskList";
const _MWTP = "MaintenanceWindowTaskParameters";
const _MWTPL = "MaintenanceWindowTaskParametersList";
const _MWTPV = "MaintenanceWindowTaskParameterValue";
const _MWTPVE = "MaintenanceWindowTaskParameterValueExpression";
const _MWTPVL = "MaintenanceWindowTaskParameterValueList";
const _MWTa = "MaintenanceWindowTask";
const _Ma = "Mappings";
const _Me = "Metadata";
const _Mo = "Mode";
const _N = "Name";
const _NA = "NodeAggregator";
const _NAC = "NotApplicableCount";
const _NAL = "NodeAggregatorList";
const _NAo = "NotificationArn";
const _NC = "NotificationConfig";
const _NCC = "NonCompliantCount";
const _NCS = "NonCompliantSummary";
const _NE = "NotificationEvents";
const _NET = "NextExecutionTime";
const _NF = "NodeFilter";
const _NFL = "NodeFilterList";
const _NFVL = "NodeFilterValueList";
const _NL = "NodeList";
const _NLSE = "NoLongerSupportedException";
const _NOI = "NodeOwnerInfo";
const _NS = "NextStep";
const _NSL = "NodeSummaryList";
const _NT = "NextToken";
const _NTT = "NextTransitionTime";
const _NTo = "NodeType";
const _NTot = "NotificationType";
const _Na = "Names";
const _No = "Notifications";
const _Nod = "Nodes";
const _Node = "Node";
const _O = "Overview";
const _OA = "OpsAggregator";
const _OAL = "OpsAggregatorList";
const _OD = "OperationalData";
const _ODTD = "OperationalDataToDelete";
const _OE = "OpsEntity";
const _OEI = "OpsEntityItem";
const _OEIEL = "OpsEntityItemEntryList";
const _OEIM = "OpsEntityItemMap";
const _OEL = "OpsEntityList";
const _OET = "OperationEndTime";
const _OF = "OpsFilter";
const _OFL = "OpsFilterList";
const _OFVL = "OpsFilterValueList";
const _OFn = "OnFailure";
const _OI = "OwnerInformation";
const _OIA = "OpsItemArn";
const _OIADE = "OpsItemAccessDeniedException";
const _OIAEE = "OpsItemAlreadyExistsException";
const _OICE = "OpsItemConflictException";
const _OIDV = "OpsItemDataValue";
const _OIEF = "OpsItemEventFilter";
const _OIEFp = "OpsItemEventFilters";
const _OIES = "OpsItemEventSummary";
const _OIESp = "OpsItemEventSummaries";
const _OIF = "OpsItemFilters";
const _OIFp = "OpsItemFilter";
const _OII = "OpsItemId";
const _OIIPE = "OpsItemInvalidParameterException";
const _OIIp = "OpsItemIdentity";
const _OILEE = "OpsItemLimitExceededException";
const _OIN = "OpsItemNotification";
const _OINFE = "OpsItemNotFoundException";
const _OINp = "OpsItemNotifications";
const _OIOD = "OpsItemOperationalData";
const _OIRIAEE = "OpsItemRelatedItemAlreadyExistsException";
const _OIRIANFE = "OpsItemRelatedItemAssociationNotFoundException";
const _OIRIF = "OpsItemRelatedItemsFilter";
const _OIRIFp = "OpsItemRelatedItemsFilters";
const _OIRIS = "OpsItemRelatedItemSummary";
const _OIRISp = "OpsItemRelatedItemSummaries";
const _OIS = "OpsItemSummaries";
const _OISp = "OpsItemSummary";
const _OIT = "OpsItemType";
const _OIp = "OpsItem";
const _OIr = "OrganizationId";
const _OL = "OutputLocation";
const _OM = "OpsMetadata";
const _OMA = "OpsMetadataArn";
const _OMAEE = "OpsMetadataAlreadyExistsException";
const _OMF = "OpsMetadataFilter";
const _OMFL = "OpsMetadataFilterList";
const _OMIAE = "OpsMetadataInvalidArgumentException";
const _OMKLEE = "OpsMetadataKeyLimitExceededException";
const _OML = "OpsMetadataList";
const _OMLEE = "OpsMetadataLimitExceededException";
const _OMNFE = "OpsMetadataNotFoundException";
const _OMTMUE = "OpsMetadataTooManyUpdatesException";
const _ONCC = "OtherNonCompliantCount";
const _OP = "OverriddenParameters";
const _ORA = "OpsResultAttribute";
const _ORAL = "OpsResultAttributeList";
const _OS = "OutputSource";
const _OSBN = "OutputS3BucketName";
const _OSI = "OutputSourceId";
const _OSKP = "OutputS3KeyPrefix";
const _OSR = "OutputS3Region";
const _OST = "OperationStartTime";
const _OSTr = "OrganizationSourceType";
const _OSTu = "OutputSourceType";
const _OSp = "OperatingSystem";
const _OSv = "OverallSeverity";
const _OU = "OutputUrl";
const _OUI = "OrganizationalUnitId";
const _OUP = "OrganizationalUnitPath";
const _OUr = "OrganizationalUnits";
const _Op = "Operation";
const _Ope = "Operator";
const _Opt = "Option";
const _Ou = "Outputs";
const _Out = "Output";
const _Ov = "Overwrite";
const _Ow = "Owner";
const _P = "Parameters";
const _PAE = "ParameterAlreadyExists";
const _PAEI = "ParentAutomationExecutionId";
const _PBI = "PatchBaselineIdentity";
const _PBIL = "PatchBaselineIdentityList";
const _PC = "ProgressCounters";
const _PCD = "PatchComplianceData";
const _PCDL = "PatchComplianceDataList";
const _PCI = "PutComplianceItems";
const _PCIR = "PutComplianceItemsRequest";
const _PCIRu = "PutComplianceItemsResult";
const _PDN = "ProjectDisplayName";
const _PET = "PlannedEndTime";
const _PF = "ParameterFilters";
const _PFG = "PatchFilterGroup";
const _PFL = "ParametersFilterList";
const _PFLa = "PatchFilterList";
const _PFa = "ParametersFilter";
const _PFat = "PatchFilter";
const _PFatc = "PatchFilters";
const _PFr = "ProductFamily";
const _PG = "PatchGroup";
const _PGPBM = "PatchGroupPatchBaselineMapping";
const _PGPBML = "PatchGroupPatchBaselineMappingList";
const _PGa = "PatchGroups";
const _PH = "PolicyHash";
const _PHL = "ParameterHistoryList";
const _PHa = "ParameterHistory";
const _PI = "PolicyId";
const _PIP = "ParameterInlinePolicy";
const _PIR = "PutInventoryRequest";
const _PIRu = "PutInventoryResult";
const _PIr = "ProjectId";
const _PIu = "PutInventory";
const _PL = "ParameterList";
const _PLE = "ParameterLimitExceeded";
const _PLEE = "PoliciesLimitExceededException";
const _PLa = "PatchList";
const _PM = "ParameterMetadata";
const _PML = "ParameterMetadataList";
const _PMVLE = "ParameterMaxVersionLimitExceeded";
const _PMe = "PermissionModel";
const _PMr = "ProviderMessage";
const _PN = "ParameterNames";
const _PNF = "ParameterNotFound";
const _PNl = "PluginName";
const _PNla = "PlatformName";
const _POF = "PatchOrchestratorFilter";
const _POFL = "PatchOrchestratorFilterList";
const _PP = "PutParameter";
const _PPL = "PatchPropertiesList";
const _PPLa = "ParameterPolicyList";
const _PPME = "ParameterPatternMismatchException";
const _PPR = "PutParameterRequest";
const _PPRu = "PutParameterResult";
const _PR = "PatchRule";
const _PRG = "PatchRuleGroup";
const _PRL = "PatchRuleList";
const _PRP = "PutResourcePolicy";
const _PRPR = "PutResourcePolicyRequest";
const _PRPRu = "PutResourcePolicyResponse";
const _PRV = "PendingReviewVersion";
const _PRa = "PatchRules";
const _PS = "PatchSet";
const _PSC = "PatchSourceConfiguration";
const _PSD = "ParentStepDetails";
const _PSF = "ParameterStringFilter";
const _PSFL = "ParameterStringFilterList";
const _PSL = "PatchSourceList";
const _PSPV = "PSParameterValue";
const _PST = "PlannedStartTime";
const _PSa = "PatchStatus";
const _PSat = "PatchSource";
const _PSi = "PingStatus";
const _PSo = "PolicyStatus";
const _PT = "PermissionType";
const _PTL = "PlatformTypeList";
const _PTl = "PlatformTypes";
const _PTla = "PlatformType";
const _PTo = "PolicyText";
const _PTol = "PolicyType";
const _PV = "PlatformVersion";
const _PVLLE = "ParameterVersionLabelLimitExceeded";
const _PVNF = "ParameterVersionNotFound";
const _PVa = "ParameterVersion";
const _PVar = "ParameterValues";
const _Pa = "Patches";
const _Par = "Parameter";
const _Pat = "Patch";
const _Path = "Path";
const _Pay = "Payload";
const _Po = "Policies";
const _Pol = "Policy";
const _Pr = "Provider";
const _Pre = "Prefix";
const _Pri = "Priority";
const _Pro = "Property";
const _Prod = "Product";
const _Produ = "Products";
const _Proj = "Projects";
const _Prop = "Properties";
const _Q = "Qualifier";
const _QC = "QuotaCode";
const _R = "Runbooks";
const _RA = "RoleArn";
const _RAL = "ResultAttributeList";
const _RAe = "ResourceArn";
const _RAes = "ResultAttributes";
const _RAesu = "ResultAttribute";
const _RC = "ReasonCode";
const _RCBS = "ResourceCountByStatus";
const _RCSI = "ResourceComplianceSummaryItems";
const _RCSIL = "ResourceComplianceSummaryItemList";
const _RCSIe = "ResourceComplianceSummaryItem";
const _RCe = "RegistrationsCount";
const _RCem = "RemainingCount";
const _RCes = "ResponseCode";
const _RCu = "RunCommand";
const _RD = "RegistrationDate";
const _RDHMC = "RegisterDefaultHostManagementConfiguration";
const _RDHMCR = "RegisterDefaultHostManagementConfigurationRequest";
const _RDHMCRe = "RegisterDefaultHostManagementConfigurationResult";
const _RDPB = "RegisterDefaultPatchBaseline";
const _RDPBR = "RegisterDefaultPatchBaselineRequest";
const _RDPBRe = "RegisterDefaultPatchBaselineResult";
const _RDSAEE = "ResourceDataSyncAlreadyExistsException";
const _RDSAOS = "ResourceDataSyncAwsOrganizationsSource";
const _RDSCE = "ResourceDataSyncConflictException";
const _RDSCEE = "ResourceDataSyncCountExceededException";
const _RDSDDS = "ResourceDataSyncDestinationDataSharing";
const _RDSI = "ResourceDataSyncItems";
const _RDSICE = "ResourceDataSyncInvalidConfigurationException";
const _RDSIL = "ResourceDataSyncItemList";
const _RDSIe = "ResourceDataSyncItem";
const _RDSNFE = "ResourceDataSyncNotFoundException";
const _RDSOU = "ResourceDataSyncOrganizationalUnit";
const _RDSOUL = "ResourceDataSyncOrganizationalUnitList";
const _RDSS = "ResourceDataSyncSource";
const _RDSSD = "ResourceDataSyncS3Destination";
const _RDSSWS = "ResourceDataSyncSourceWithState";
const _RDT = "RequestedDateTime";
const _RDe = "ReleaseDate";
const _RFDT = "ResponseFinishDateTime";
const _RI = "ResourceId";
const _RIL = "ReviewInformationList";
const _RIUE = "ResourceInUseException";
const _RIe = "ReviewInformation";
const _RIes = "ResourceIds";
const _RL = "RegistrationLimit";
const _RLEE = "ResourceLimitExceededException";
const _RLe = "RemovedLabels";
const _RM = "RegistrationMetadata";
const _RMI = "RegistrationMetadataItem";
const _RML = "RegistrationMetadataList";
const _RNFE = "ResourceNotFoundException";
const _RO = "ReverseOrder";
const _ROI = "RelatedOpsItems";
const _ROIe = "RelatedOpsItem";
const _ROe = "RebootOption";
const _RP = "RejectedPatches";
const _RPA = "RejectedPatchesAction";
const _RPBFPG = "RegisterPatchBaselineForPatchGroup";
const _RPBFPGR = "RegisterPatchBaselineForPatchGroupRequest";
const _RPBFPGRe = "RegisterPatchBaselineForPatchGroupResult";
const _RPCE = "ResourcePolicyConflictException";
const _RPIPE = "ResourcePolicyInvalidParameterException";
const _RPLEE = "ResourcePolicyLimitExceededException";
const _RPNFE = "ResourcePolicyNotFoundException";
const _RR = "ReviewerResponse";
const _RS = "ReviewStatus";
const _RSDT = "ResponseStartDateTime";
const _RSR = "ResumeSessionRequest";
const _RSRe = "ResumeSessionResponse";
const _RSS = "ResetServiceSetting";
const _RSSR = "ResetServiceSettingRequest";
const _RSSRe = "ResetServiceSettingResult";
const _RSe = "ResumeSession";
const _RT = "ResourceTypes";
const _RTFR = "RemoveTagsFromResource";
const _RTFRR = "RemoveTagsFromResourceRequest";
const _RTFRRe = "RemoveTagsFromResourceResult";
const _RTWMW = "RegisterTargetWithMaintenanceWindow";
const _RTWMWR = "RegisterTargetWithMaintenanceWindowRequest";
const _RTWMWRe = "RegisterTargetWithMaintenanceWindowResult";
const _RTWMWReg = "RegisterTaskWithMaintenanceWindowRequest";
const _RTWMWRegi = "RegisterTaskWithMaintenanceWindowResult";
const _RTWMWe = "RegisterTaskWithMaintenanceWindow";
const _RTe = "ResourceType";
const _RTeq = "RequireType";
const _RTes = "ResolvedTargets";
const _RTev = "ReviewedTime";
const _RU = "ResourceUri";
const _Re = "Regions";
const _Rea = "Reason";
const _Rec = "Recursive";
const _Reg = "Region";
const _Rel = "Release";
const _Rep = "Repository";
const _Repl = "Replace";
const _Req = "Requires";
const _Res = "Response";
const _Rev = "Reviewer";
const _Ru = "Runbook";
const _S = "State";
const _SAE = "ServiceAccountEmail";
const _SAER = "StartAutomationExecutionRequest";
const _SAERt = "StartAutomationExecutionResult";
const _SAERto = "StopAutomationExecutionRequest";
const _SAERtop = "StopAutomationExecutionResult";
const _SAEt = "StartAutomationExecution";
const _SAEto = "StopAutomationExecution";
const _SAK = "SecretAccessKey";
const _SAO = "StartAssociationsOnce";
const _SAOR = "StartAssociationsOnceRequest";
const _SAORt = "StartAssociationsOnceResult";
const _SAR = "StartAccessRequest";
const _SARR = "StartAccessRequestRequest";
const _SARRt = "StartAccessRequestResponse";
const _SAS = "SendAutomationSignal";
const _SASR = "SendAutomationSignalRequest";
const _SASRe = "SendAutomationSignalResult";
const _SBN = "S3BucketName";
const _SC = "ServiceCode";
const _SCR = "SendCommandRequest";
const _SCRE = "StartChangeRequestExecution";
const _SCRER = "StartChangeRequestExecutionRequest";
const _SCRERt = "StartChangeRequestExecutionResult";
const _SCRe = "SendCommandResult";
const _SCT = "SyncCreatedTime";
const _SCe = "SendCommand";
const _SCt = "StartedCount";
const _SCu = "SuccessfulCount";
const _SCy = "SyncCompliance";
const _SD = "StatusDetails";
const _SDO = "SchemaDeleteOption";
const _SDU = "SnapshotDownloadUrl";
const _SDV = "SharedDocumentVersion";
const _SDe = "S3Destination";
const _SDt = "StartDate";
const _SE = "ScheduleExpression";
const _SEC = "StandardErrorContent";
const _SEF = "StepExecutionFilter";
const _SEFL = "StepExecutionFilterList";
const _SEI = "StepExecutionId";
const _SEL = "StepExecutionList";
const _SEP = "StartExecutionPreview";
const _SEPR = "StartExecutionPreviewRequest";
const _SEPRt = "StartExecutionPreviewResponse";
const _SET = "StepExecutionsTruncated";
const _SETc = "ScheduledEndTime";
const _SEU = "StandardErrorUrl";
const _SEt = "StepExecutions";
const _SEte = "StepExecution";
const _SF = "StepFunctions";
const _SFL = "SessionFilterList";
const _SFe = "SessionFilter";
const _SFy = "SyncFormat";
const _SI = "StatusInformation";
const _SIe = "SettingId";
const _SIes = "SessionId";
const _SIn = "SnapshotId";
const _SIo = "SourceId";
const _SIu = "SummaryItems";
const _SKP = "S3KeyPrefix";
const _SL = "S3Location";
const _SLMT = "SyncLastModifiedTime";
const _SLe = "SessionList";
const _SLo = "SourceLocation";
const _SM = "StatusMessage";
const _SMOU = "SessionManagerOutputUrl";
const _SMP = "SessionManagerParameters";
const _SN = "SyncName";
const _SNCC = "SecurityNonCompliantCount";
const _SNt = "StepName";
const _SO = "ScheduleOffset";
const _SOC = "StandardOutputContent";
const _SOL = "S3OutputLocation";
const _SOU = "StandardOutputUrl";
const _SOUu = "S3OutputUrl";
const _SP = "StepPreviews";
const _SQEE = "ServiceQuotaExceededException";
const _SR = "ServiceRole";
const _SRA = "ServiceRoleArn";
const _SRe = "S3Region";
const _SRo = "SourceResult";
const _SRou = "SourceRegions";
const _SS = "SeveritySummary";
const _SSNF = "ServiceSettingNotFound";
const _SSR = "StartSessionRequest";
const _SSRt = "StartSessionResponse";
const _SSe = "ServiceSetting";
const _SSt = "StepStatus";
const _SSta = "StartSession";
const _SSu = "SuccessSteps";
const _SSy = "SyncSource";
const _ST = "SyncType";
const _STCLEE = "SubTypeCountLimitExceededException";
const _STT = "SessionTokenType";
const _STc = "ScheduledTime";
const _STch = "ScheduleTimezone";
const _STe = "SessionToken";
const _STi = "SignalType";
const _STo = "SourceType";
const _STt = "StartTime";
const _STu = "SubType";
const _SU = "StatusUnchanged";
const _SUt = "StreamUrl";
const _SV = "SchemaVersion";
const _SVe = "SettingValue";
const _SWE = "ScheduledWindowExecutions";
const _SWEL = "ScheduledWindowExecutionList";
const _SWEc = "ScheduledWindowExecution";
const _Sa = "Safe";
const _Sc = "Schedule";
const _Sch = "Schemas";
const _Sco = "Scope";
const _Se = "Severity";
const _Sel = "Selector";
const _Ses = "Sessions";
const _Sess = "Session";
const _Sh = "Shared";
const _Sha = "Sha1";
const _Si = "Size";
const _So = "Sources";
const _Sou = "Source";
const _St = "Status";
const _Su = "Successful";
const _Sub = "Subscriptions";
const _Sum = "Summary";
const _Summ = "Summaries";
const _T = "Tags";
const _TA = "TriggeredAlarms";
const _TAa = "TaskArn";
const _TAo = "TotalAccounts";
const _TC = "TargetCount";
const _TCo = "TotalCount";
const _TDN = "TenantDisplayName";
const _TE = "ThrottlingException";
const _TEI = "TaskExecutionId";
const _TI = "TenantId";
const _TIP = "TaskInvocationParameters";
const _TIUE = "TargetInUseException";
const _TIa = "TaskId";
const _TIas = "TaskIds";
const _TK = "TagKeys";
const _TL = "TargetLocations";
const _TLAC = "TargetLocationAlarmConfiguration";
const _TLMC = "TargetLocationMaxConcurrency";
const _TLME = "TargetLocationMaxErrors";
const _TLURL = "TargetLocationsURL";
const _TLa = "TagList";
const _TLar = "TargetLocation";
const _TM = "TargetMaps";
const _TMC = "TargetsMaxConcurrency";
const _TME = "TargetsMaxErrors";
const _TMTE = "TooManyTagsError";
const _TMU = "TooManyUpdates";
const _TMa = "TargetMap";
const _TN = "TypeName";
const _TNC = "TargetNotConnected";
const _TO = "TraceOutput";
const _TOS = "TimedOutSteps";
const _TP = "TargetPreviews";
const _TPL = "TargetPreviewList";
const _TPN = "TargetParameterName";
const _TPa = "TaskParameters";
const _TPar = "TargetPreview";
const _TS = "TargetsSummary";
const _TSLEE = "TotalSizeLimitExceededException";
const _TSR = "TerminateSessionRequest";
const _TSRe = "TerminateSessionResponse";
const _TSe = "TerminateSession";
const _TSi = "TimeoutSeconds";
const _TSo = "TotalSteps";
const _TT = "TargetType";
const _TTa = "TaskType";
const _TV = "TokenValue";
const _Ta = "Targets";
const _Tag = "Tag";
const _Tar = "Target";
const _Tas = "Tasks";
const _Ti = "Title";
const _Tie = "Tier";
const _Tr = "Truncated";
const _Ty = "Type";
const _U = "Url";
const _UA = "UpdatedAt";
const _UAR = "UpdateAssociationRequest";
const _UARp = "UpdateAssociationResult";
const _UAS = "UpdateAssociationStatus";
const _UASR = "UpdateAssociationStatusRequest";
const _UASRp = "UpdateAssociationStatusResult";
const _UAp = "UpdateAssociation";
const _UC = "UnspecifiedCount";
const _UCC = "UpdateCloudConnector";
const _UCCR = "UpdateCloudConnectorRequest";
const _UCCRp = "UpdateCloudConnectorResult";
const _UCE = "UnsupportedCalendarException";
const _UD = "UpdateDocument";
const _UDDV = "UpdateDocumentDefaultVersion";
const _UDDVR = "UpdateDocumentDefaultVersionRequest";
const _UDDVRp = "UpdateDocumentDefaultVersionResult";
const _UDM = "UpdateDocumentMetadata";
const _UDMR = "UpdateDocumentMetadataRequest";
const _UDMRp = "UpdateDocumentMetadataResponse";
const _UDR = "UpdateDocumentRequest";
const _UDRp = "UpdateDocumentResult";
const _UFRE = "UnsupportedFeatureRequiredException";
const _UIICE = "UnsupportedInventoryItemContextException";
const _UISVE = "UnsupportedInventorySchemaVersionException";
const _UMIR = "UpdateManagedInstanceRole";
const _UMIRR = "UpdateManagedInstanceRoleRequest";
const _UMIRRp = "UpdateManagedInstanceRoleResult";
const _UMW = "UpdateMaintenanceWindow";
const _UMWR = "UpdateMaintenanceWindowRequest";
const _UMWRp = "UpdateMaintenanceWindowResult";
const _UMWT = "UpdateMaintenanceWindowTarget";
const _UMWTR = "UpdateMaintenanceWindowTargetRequest";
const _UMWTRp = "UpdateMaintenanceWindowTargetResult";
const _UMWTRpd = "UpdateMaintenanceWindowTaskRequest";
const _UMWTRpda = "UpdateMaintenanceWindowTaskResult";
const _UMWTp = "UpdateMaintenanceWindowTask";
const _UNAC = "UnreportedNotApplicableCount";
const _UOE = "UnsupportedOperationException";
const _UOI = "UpdateOpsItem";
const _UOIR = "UpdateOpsItemRequest";
const _UOIRp = "UpdateOpsItemResponse";
const _UOM = "UpdateOpsMetadata";
const _UOMR = "UpdateOpsMetadataRequest";
const _UOMRp = "UpdateOpsMetadataResult";
const _UOS = "UnsupportedOperatingSystem";
const _UPB = "UpdatePatchBaseline";
const _UPBR = "UpdatePatchBaselineRequest";
const _UPBRp = "UpdatePatchBaselineResult";
const _UPT = "UnsupportedParameterType";
const _UPTn = "UnsupportedPlatformType";
const _UPV = "UnlabelParameterVersion";
const _UPVR = "UnlabelParameterVersionRequest";
const _UPVRn = "UnlabelParameterVersionResult";
const _URDS = "UpdateResourceDataSync";
const _URDSR = "UpdateResourceDataSyncRequest";
const _URDSRp = "UpdateResourceDataSyncResult";
const _USDSE = "UseS3DualStackEndpoint";
const _USS = "UpdateServiceSetting";
const _USSR = "UpdateServiceSettingRequest";
const _USSRp = "UpdateServiceSettingResult";
const _UT = "UpdatedTime";
const _UTp = "UploadType";
const _V = "Value";
const _VCC = "ValidateCloudConnector";
const _VCCR = "ValidateCloudConnectorRequest";
const _VCCRa = "ValidateCloudConnectorResult";
const _VE = "ValidationException";
const _VF = "ValidationFindings";
const _VFL = "ValidationFindingList";
const _VFS = "ValidationFindingScope";
const _VFa = "ValidationFinding";
const _VN = "VersionName";
const _VNS = "ValidNextSteps";
const _Va = "Values";
const _Var = "Variables";
const _Ve = "Version";
const _Ven = "Vendor";
const _WD = "WithDecryption";
const _WE = "WindowExecutions";
const _WEI = "WindowExecutionId";
const _WETI = "WindowExecutionTaskIdentities";
const _WETII = "WindowExecutionTaskInvocationIdentities";
const _WI = "WindowId";
const _WIPP = "WorkloadIdentityPoolProvider";
const _WIi = "WindowIdentities";
const _WM = "WarningMessage";
const _WTI = "WindowTargetId";
const _WTIi = "WindowTaskId";
const _aQE = "awsQueryError";
const _c = "client";
const _e = "error";
const _en = "entries";
const _k = "key";
const _m = "message";
const _s = "smithy.ts.sdk.synthetic.com.amazonaws.ssm";
const _se = "server";
const _v = "value";
const _vS = "valueSet";
const _xN = "xmlName";
const n0 = "com.amazonaws.ssm";
const _s_registry = new TypeRegistry(_s);
var SSMServiceException$ = [-3, _s, "SSMServiceException", 0, [], []];
_s_registry.registerError(SSMServiceException$, SSMServiceException);
const n0_registry = new TypeRegistry(n0);
var AccessDeniedException$ = [-3, n0, _ADE,
    { [_e]: _c },
    [_M],
    [0], 1
];
n0_registry.registerError(AccessDeniedException$, AccessDeniedException);
var AlreadyExistsException$ = [-3, n0, _AEE,
    { [_aQE]: [`AlreadyExistsException`, 400], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(AlreadyExistsException$, AlreadyExistsException);
var AssociatedInstances$ = [-3, n0, _AI,
    { [_aQE]: [`AssociatedInstances`, 400], [_e]: _c },
    [],
    []
];
n0_registry.registerError(AssociatedInstances$, AssociatedInstances);
var AssociationAlreadyExists$ = [-3, n0, _AAE,
    { [_aQE]: [`AssociationAlreadyExists`, 400], [_e]: _c },
    [],
    []
];
n0_registry.registerError(AssociationAlreadyExists$, AssociationAlreadyExists);
var AssociationDoesNotExist$ = [-3, n0, _ADNE,
    { [_aQE]: [`AssociationDoesNotExist`, 404], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(AssociationDoesNotExist$, AssociationDoesNotExist);
var AssociationExecutionDoesNotExist$ = [-3, n0, _AEDNE,
    { [_aQE]: [`AssociationExecutionDoesNotExist`, 404], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(AssociationExecutionDoesNotExist$, AssociationExecutionDoesNotExist);
var AssociationLimitExceeded$ = [-3, n0, _ALE,
    { [_aQE]: [`AssociationLimitExceeded`, 400], [_e]: _c },
    [],
    []
];
n0_registry.registerError(AssociationLimitExceeded$, AssociationLimitExceeded);
var AssociationVersionLimitExceeded$ = [-3, n0, _AVLE,
    { [_aQE]: [`AssociationVersionLimitExceeded`, 400], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(AssociationVersionLimitExceeded$, AssociationVersionLimitExceeded);
var AutomationDefinitionNotApprovedException$ = [-3, n0, _ADNAE,
    { [_aQE]: [`AutomationDefinitionNotApproved`, 400], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(AutomationDefinitionNotApprovedException$, AutomationDefinitionNotApprovedException);
var AutomationDefinitionNotFoundException$ = [-3, n0, _ADNFE,
    { [_aQE]: [`AutomationDefinitionNotFound`, 404], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(AutomationDefinitionNotFoundException$, AutomationDefinitionNotFoundException);
var AutomationDefinitionVersionNotFoundException$ = [-3, n0, _ADVNFE,
    { [_aQE]: [`AutomationDefinitionVersionNotFound`, 404], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(AutomationDefinitionVersionNotFoundException$, AutomationDefinitionVersionNotFoundException);
var AutomationExecutionLimitExceededException$ = [-3, n0, _AELEE,
    { [_aQE]: [`AutomationExecutionLimitExceeded`, 429], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(AutomationExecutionLimitExceededException$, AutomationExecutionLimitExceededException);
var AutomationExecutionNotFoundException$ = [-3, n0, _AENFE,
    { [_aQE]: [`AutomationExecutionNotFound`, 404], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(AutomationExecutionNotFoundException$, AutomationExecutionNotFoundException);
var AutomationStepNotFoundException$ = [-3, n0, _ASNFE,
    { [_aQE]: [`AutomationStepNotFoundException`, 404], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(AutomationStepNotFoundException$, AutomationStepNotFoundException);
var ComplianceTypeCountLimitExceededException$ = [-3, n0, _CTCLEE,
    { [_aQE]: [`ComplianceTypeCountLimitExceeded`, 400], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(ComplianceTypeCountLimitExceededException$, ComplianceTypeCountLimitExceededException);
var ConflictException$ = [-3, n0, _CE,
    { [_aQE]: [`ConflictException`, 409], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(ConflictException$, ConflictException);
var CustomSchemaCountLimitExceededException$ = [-3, n0, _CSCLEE,
    { [_aQE]: [`CustomSchemaCountLimitExceeded`, 400], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(CustomSchemaCountLimitExceededException$, CustomSchemaCountLimitExceededException);
var DocumentAlreadyExists$ = [-3, n0, _DAE,
    { [_aQE]: [`DocumentAlreadyExists`, 400], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(DocumentAlreadyExists$, DocumentAlreadyExists);
var DocumentLimitExceeded$ = [-3, n0, _DLE,
    { [_aQE]: [`DocumentLimitExceeded`, 400], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(DocumentLimitExceeded$, DocumentLimitExceeded);
var DocumentPermissionLimit$ = [-3, n0, _DPL,
    { [_aQE]: [`DocumentPermissionLimit`, 400], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(DocumentPermissionLimit$, DocumentPermissionLimit);
var DocumentVersionLimitExceeded$ = [-3, n0, _DVLE,
    { [_aQE]: [`DocumentVersionLimitExceeded`, 400], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(DocumentVersionLimitExceeded$, DocumentVersionLimitExceeded);
var DoesNotExistException$ = [-3, n0, _DNEE,
    { [_aQE]: [`DoesNotExistException`, 404], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(DoesNotExistException$, DoesNotExistException);
var DuplicateDocumentContent$ = [-3, n0, _DDC,
    { [_aQE]: [`DuplicateDocumentContent`, 400], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(DuplicateDocumentContent$, DuplicateDocumentContent);
var DuplicateDocumentVersionName$ = [-3, n0, _DDVN,
    { [_aQE]: [`DuplicateDocumentVersionName`, 400], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(DuplicateDocumentVersionName$, DuplicateDocumentVersionName);
var DuplicateInstanceId$ = [-3, n0, _DII,
    { [_aQE]: [`DuplicateInstanceId`, 404], [_e]: _c },
    [],
    []
];
n0_registry.registerError(DuplicateInstanceId$, DuplicateInstanceId);
var FeatureNotAvailableException$ = [-3, n0, _FNAE,
    { [_aQE]: [`FeatureNotAvailableException`, 400], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(FeatureNotAvailableException$, FeatureNotAvailableException);
var HierarchyLevelLimitExceededException$ = [-3, n0, _HLLEE,
    { [_aQE]: [`HierarchyLevelLimitExceededException`, 400], [_e]: _c },
    [_m],
    [0]
];
n0_registry.registerError(HierarchyLevelLimitExceededException$, HierarchyLevelLimitExceededException);
var HierarchyTypeMismatchException$ = [-3, n0, _HTME,
    { [_aQE]: [`HierarchyTypeMismatchException`, 400], [_e]: _c },
    [_m],
    [0]
];
n0_registry.registerError(HierarchyTypeMismatchException$, HierarchyTypeMismatchException);
var IdempotentParameterMismatch$ = [-3, n0, _IPM,
    { [_aQE]: [`IdempotentParameterMismatch`, 400], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(IdempotentParameterMismatch$, IdempotentParameterMismatch);
var IncompatiblePolicyException$ = [-3, n0, _IPE,
    { [_aQE]: [`IncompatiblePolicyException`, 400], [_e]: _c },
    [_m],
    [0]
];
n0_registry.registerError(IncompatiblePolicyException$, IncompatiblePolicyException);
var InternalServerError$ = [-3, n0, _ISE,
    { [_aQE]: [`InternalServerError`, 500], [_e]: _se },
    [_M],
    [0]
];
n0_registry.registerError(InternalServerError$, InternalServerError);
var InvalidActivation$ = [-3, n0, _IA,
    { [_aQE]: [`InvalidActivation`, 404], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(InvalidActivation$, InvalidActivation);
var InvalidActivationId$ = [-3, n0, _IAI,
    { [_aQE]: [`InvalidActivationId`, 404], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(InvalidActivationId$, InvalidActivationId);
var InvalidAggregatorException$ = [-3, n0, _IAE,
    { [_aQE]: [`InvalidAggregator`, 400], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(InvalidAggregatorException$, InvalidAggregatorException);
var InvalidAllowedPatternException$ = [-3, n0, _IAPE,
    { [_aQE]: [`InvalidAllowedPatternException`, 400], [_e]: _c },
    [_m],
    [0]
];
n0_registry.registerError(InvalidAllowedPatternException$, InvalidAllowedPatternException);
var InvalidAssociation$ = [-3, n0, _IAn,
    { [_aQE]: [`InvalidAssociation`, 400], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(InvalidAssociation$, InvalidAssociation);
var InvalidAssociationVersion$ = [-3, n0, _IAV,
    { [_aQE]: [`InvalidAssociationVersion`, 400], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(InvalidAssociationVersion$, InvalidAssociationVersion);
var InvalidAutomationExecutionParametersException$ = [-3, n0, _IAEPE,
    { [_aQE]: [`InvalidAutomationExecutionParameters`, 400], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(InvalidAutomationExecutionParametersException$, InvalidAutomationExecutionParametersException);
var InvalidAutomationSignalException$ = [-3, n0, _IASE,
    { [_aQE]: [`InvalidAutomationSignalException`, 400], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(InvalidAutomationSignalException$, InvalidAutomationSignalException);
var InvalidAutomationStatusUpdateException$ = [-3, n0, _IASUE,
    { [_aQE]: [`InvalidAutomationStatusUpdateException`, 400], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(InvalidAutomationStatusUpdateException$, InvalidAutomationStatusUpdateException);
var InvalidCommandId$ = [-3, n0, _ICI,
    { [_aQE]: [`InvalidCommandId`, 404], [_e]: _c },
    [],
    []
];
n0_registry.registerError(InvalidCommandId$, InvalidCommandId);
var InvalidDeleteInventoryParametersException$ = [-3, n0, _IDIPE,
    { [_aQE]: [`InvalidDeleteInventoryParameters`, 400], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(InvalidDeleteInventoryParametersException$, InvalidDeleteInventoryParametersException);
var InvalidDeletionIdException$ = [-3, n0, _IDIE,
    { [_aQE]: [`InvalidDeletionId`, 400], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(InvalidDeletionIdException$, InvalidDeletionIdException);
var InvalidDocument$ = [-3, n0, _ID,
    { [_aQE]: [`InvalidDocument`, 404], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(InvalidDocument$, InvalidDocument);
var InvalidDocumentContent$ = [-3, n0, _IDC,
    { [_aQE]: [`InvalidDocumentContent`, 400], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(InvalidDocumentContent$, InvalidDocumentContent);
var InvalidDocumentOperation$ = [-3, n0, _IDO,
    { [_aQE]: [`InvalidDocumentOperation`, 403], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(InvalidDocumentOperation$, InvalidDocumentOperation);
var InvalidDocumentSchemaVersion$ = [-3, n0, _IDSV,
    { [_aQE]: [`InvalidDocumentSchemaVersion`, 400], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(InvalidDocumentSchemaVersion$, InvalidDocumentSchemaVersion);
var InvalidDocumentType$ = [-3, n0, _IDT,
    { [_aQE]: [`InvalidDocumentType`, 400], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(InvalidDocumentType$, InvalidDocumentType);
var InvalidDocumentVersion$ = [-3, n0, _IDV,
    { [_aQE]: [`InvalidDocumentVersion`, 400], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(InvalidDocumentVersion$, InvalidDocumentVersion);
var InvalidFilter$ = [-3, n0, _IF,
    { [_aQE]: [`InvalidFilter`, 441], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(InvalidFilter$, InvalidFilter);
var InvalidFilterKey$ = [-3, n0, _IFK,
    { [_aQE]: [`InvalidFilterKey`, 400], [_e]: _c },
    [],
    []
];
n0_registry.registerError(InvalidFilterKey$, InvalidFilterKey);
var InvalidFilterOption$ = [-3, n0, _IFO,
    { [_aQE]: [`InvalidFilterOption`, 400], [_e]: _c },
    [_m],
    [0]
];
n0_registry.registerError(InvalidFilterOption$, InvalidFilterOption);
var InvalidFilterValue$ = [-3, n0, _IFV,
    { [_aQE]: [`InvalidFilterValue`, 400], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(InvalidFilterValue$, InvalidFilterValue);
var InvalidInstanceId$ = [-3, n0, _III,
    { [_aQE]: [`InvalidInstanceId`, 404], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(InvalidInstanceId$, InvalidInstanceId);
var InvalidInstanceInformationFilterValue$ = [-3, n0, _IIIFV,
    { [_aQE]: [`InvalidInstanceInformationFilterValue`, 400], [_e]: _c },
    [_m],
    [0]
];
n0_registry.registerError(InvalidInstanceInformationFilterValue$, InvalidInstanceInformationFilterValue);
var InvalidInstancePropertyFilterValue$ = [-3, n0, _IIPFV,
    { [_aQE]: [`InvalidInstancePropertyFilterValue`, 400], [_e]: _c },
    [_m],
    [0]
];
n0_registry.registerError(InvalidInstancePropertyFilterValue$, InvalidInstancePropertyFilterValue);
var InvalidInventoryGroupException$ = [-3, n0, _IIGE,
    { [_aQE]: [`InvalidInventoryGroup`, 400], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(InvalidInventoryGroupException$, InvalidInventoryGroupException);
var InvalidInventoryItemContextException$ = [-3, n0, _IIICE,
    { [_aQE]: [`InvalidInventoryItemContext`, 400], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(InvalidInventoryItemContextException$, InvalidInventoryItemContextException);
var InvalidInventoryRequestException$ = [-3, n0, _IIRE,
    { [_aQE]: [`InvalidInventoryRequest`, 400], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(InvalidInventoryRequestException$, InvalidInventoryRequestException);
var InvalidItemContentException$ = [-3, n0, _IICE,
    { [_aQE]: [`InvalidItemContent`, 400], [_e]: _c },
    [_TN, _M],
    [0, 0]
];
n0_registry.registerError(InvalidItemContentException$, InvalidItemContentException);
var InvalidKeyId$ = [-3, n0, _IKI,
    { [_aQE]: [`InvalidKeyId`, 400], [_e]: _c },
    [_m],
    [0]
];
n0_registry.registerError(InvalidKeyId$, InvalidKeyId);
var InvalidNextToken$ = [-3, n0, _INT,
    { [_aQE]: [`InvalidNextToken`, 400], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(InvalidNextToken$, InvalidNextToken);
var InvalidNotificationConfig$ = [-3, n0, _INC,
    { [_aQE]: [`InvalidNotificationConfig`, 400], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(InvalidNotificationConfig$, InvalidNotificationConfig);
var InvalidOptionException$ = [-3, n0, _IOE,
    { [_aQE]: [`InvalidOption`, 400], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(InvalidOptionException$, InvalidOptionException);
var InvalidOutputFolder$ = [-3, n0, _IOF,
    { [_aQE]: [`InvalidOutputFolder`, 400], [_e]: _c },
    [],
    []
];
n0_registry.registerError(InvalidOutputFolder$, InvalidOutputFolder);
var InvalidOutputLocation$ = [-3, n0, _IOL,
    { [_aQE]: [`InvalidOutputLocation`, 400], [_e]: _c },
    [],
    []
];
n0_registry.registerError(InvalidOutputLocation$, InvalidOutputLocation);
var InvalidParameters$ = [-3, n0, _IP,
    { [_aQE]: [`InvalidParameters`, 400], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(InvalidParameters$, InvalidParameters);
var InvalidPermissionType$ = [-3, n0, _IPT,
    { [_aQE]: [`InvalidPermissionType`, 400], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(InvalidPermissionType$, InvalidPermissionType);
var InvalidPluginName$ = [-3, n0, _IPN,
    { [_aQE]: [`InvalidPluginName`, 404], [_e]: _c },
    [],
    []
];
n0_registry.registerError(InvalidPluginName$, InvalidPluginName);
var InvalidPolicyAttributeException$ = [-3, n0, _IPAE,
    { [_aQE]: [`InvalidPolicyAttributeException`, 400], [_e]: _c },
    [_m],
    [0]
];
n0_registry.registerError(InvalidPolicyAttributeException$, InvalidPolicyAttributeException);
var InvalidPolicyTypeException$ = [-3, n0, _IPTE,
    { [_aQE]: [`InvalidPolicyTypeException`, 400], [_e]: _c },
    [_m],
    [0]
];
n0_registry.registerError(InvalidPolicyTypeException$, InvalidPolicyTypeException);
var InvalidResourceId$ = [-3, n0, _IRI,
    { [_aQE]: [`InvalidResourceId`, 400], [_e]: _c },
    [],
    []
];
n0_registry.registerError(InvalidResourceId$, InvalidResourceId);
var InvalidResourceType$ = [-3, n0, _IRT,
    { [_aQE]: [`InvalidResourceType`, 400], [_e]: _c },
    [],
    []
];
n0_registry.registerError(InvalidResourceType$, InvalidResourceType);
var InvalidResultAttributeException$ = [-3, n0, _IRAE,
    { [_aQE]: [`InvalidResultAttribute`, 400], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(InvalidResultAttributeException$, InvalidResultAttributeException);
var InvalidRole$ = [-3, n0, _IR,
    { [_aQE]: [`InvalidRole`, 400], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(InvalidRole$, InvalidRole);
var InvalidSchedule$ = [-3, n0, _IS,
    { [_aQE]: [`InvalidSchedule`, 400], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(InvalidSchedule$, InvalidSchedule);
var InvalidTag$ = [-3, n0, _IT,
    { [_aQE]: [`InvalidTag`, 400], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(InvalidTag$, InvalidTag);
var InvalidTarget$ = [-3, n0, _ITn,
    { [_aQE]: [`InvalidTarget`, 400], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(InvalidTarget$, InvalidTarget);
var InvalidTargetMaps$ = [-3, n0, _ITM,
    { [_aQE]: [`InvalidTargetMaps`, 400], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(InvalidTargetMaps$, InvalidTargetMaps);
var InvalidTypeNameException$ = [-3, n0, _ITNE,
    { [_aQE]: [`InvalidTypeName`, 400], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(InvalidTypeNameException$, InvalidTypeNameException);
var InvalidUpdate$ = [-3, n0, _IU,
    { [_aQE]: [`InvalidUpdate`, 400], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(InvalidUpdate$, InvalidUpdate);
var InvocationDoesNotExist$ = [-3, n0, _IDNE,
    { [_aQE]: [`InvocationDoesNotExist`, 400], [_e]: _c },
    [],
    []
];
n0_registry.registerError(InvocationDoesNotExist$, InvocationDoesNotExist);
var ItemContentMismatchException$ = [-3, n0, _ICME,
    { [_aQE]: [`ItemContentMismatch`, 400], [_e]: _c },
    [_TN, _M],
    [0, 0]
];
n0_registry.registerError(ItemContentMismatchException$, ItemContentMismatchException);
var ItemSizeLimitExceededException$ = [-3, n0, _ISLEE,
    { [_aQE]: [`ItemSizeLimitExceeded`, 400], [_e]: _c },
    [_TN, _M],
    [0, 0]
];
n0_registry.registerError(ItemSizeLimitExceededException$, ItemSizeLimitExceededException);
var MalformedResourcePolicyDocumentException$ = [-3, n0, _MRPDE,
    { [_aQE]: [`MalformedResourcePolicyDocumentException`, 400], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(MalformedResourcePolicyDocumentException$, MalformedResourcePolicyDocumentException);
var MaxDocumentSizeExceeded$ = [-3, n0, _MDSE,
    { [_aQE]: [`MaxDocumentSizeExceeded`, 400], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(MaxDocumentSizeExceeded$, MaxDocumentSizeExceeded);
var NoLongerSupportedException$ = [-3, n0, _NLSE,
    { [_aQE]: [`NoLongerSupported`, 400], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(NoLongerSupportedException$, NoLongerSupportedException);
var OpsItemAccessDeniedException$ = [-3, n0, _OIADE,
    { [_aQE]: [`OpsItemAccessDeniedException`, 403], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(OpsItemAccessDeniedException$, OpsItemAccessDeniedException);
var OpsItemAlreadyExistsException$ = [-3, n0, _OIAEE,
    { [_aQE]: [`OpsItemAlreadyExistsException`, 400], [_e]: _c },
    [_M, _OII],
    [0, 0]
];
n0_registry.registerError(OpsItemAlreadyExistsException$, OpsItemAlreadyExistsException);
var OpsItemConflictException$ = [-3, n0, _OICE,
    { [_aQE]: [`OpsItemConflictException`, 409], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(OpsItemConflictException$, OpsItemConflictException);
var OpsItemInvalidParameterException$ = [-3, n0, _OIIPE,
    { [_aQE]: [`OpsItemInvalidParameterException`, 400], [_e]: _c },
    [_PN, _M],
    [64 | 0, 0]
];
n0_registry.registerError(OpsItemInvalidParameterException$, OpsItemInvalidParameterException);
var OpsItemLimitExceededException$ = [-3, n0, _OILEE,
    { [_aQE]: [`OpsItemLimitExceededException`, 400], [_e]: _c },
    [_RT, _L, _LT, _M],
    [64 | 0, 1, 0, 0]
];
n0_registry.registerError(OpsItemLimitExceededException$, OpsItemLimitExceededException);
var OpsItemNotFoundException$ = [-3, n0, _OINFE,
    { [_aQE]: [`OpsItemNotFoundException`, 400], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(OpsItemNotFoundException$, OpsItemNotFoundException);
var OpsItemRelatedItemAlreadyExistsException$ = [-3, n0, _OIRIAEE,
    { [_aQE]: [`OpsItemRelatedItemAlreadyExistsException`, 400], [_e]: _c },
    [_M, _RU, _OII],
    [0, 0, 0]
];
n0_registry.registerError(OpsItemRelatedItemAlreadyExistsException$, OpsItemRelatedItemAlreadyExistsException);
var OpsItemRelatedItemAssociationNotFoundException$ = [-3, n0, _OIRIANFE,
    { [_aQE]: [`OpsItemRelatedItemAssociationNotFoundException`, 400], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(OpsItemRelatedItemAssociationNotFoundException$, OpsItemRelatedItemAssociationNotFoundException);
var OpsMetadataAlreadyExistsException$ = [-3, n0, _OMAEE,
    { [_aQE]: [`OpsMetadataAlreadyExistsException`, 400], [_e]: _c },
    [_m],
    [0]
];
n0_registry.registerError(OpsMetadataAlreadyExistsException$, OpsMetadataAlreadyExistsException);
var OpsMetadataInvalidArgumentException$ = [-3, n0, _OMIAE,
    { [_aQE]: [`OpsMetadataInvalidArgumentException`, 400], [_e]: _c },
    [_m],
    [0]
];
n0_registry.registerError(OpsMetadataInvalidArgumentException$, OpsMetadataInvalidArgumentException);
var OpsMetadataKeyLimitExceededException$ = [-3, n0, _OMKLEE,
    { [_aQE]: [`OpsMetadataKeyLimitExceededException`, 429], [_e]: _c },
    [_m],
    [0]
];
n0_registry.registerError(OpsMetadataKeyLimitExceededException$, OpsMetadataKeyLimitExceededException);
var OpsMetadataLimitExceededException$ = [-3, n0, _OMLEE,
    { [_aQE]: [`OpsMetadataLimitExceededException`, 429], [_e]: _c },
    [_m],
    [0]
];
n0_registry.registerError(OpsMetadataLimitExceededException$, OpsMetadataLimitExceededException);
var OpsMetadataNotFoundException$ = [-3, n0, _OMNFE,
    { [_aQE]: [`OpsMetadataNotFoundException`, 404], [_e]: _c },
    [_m],
    [0]
];
n0_registry.registerError(OpsMetadataNotFoundException$, OpsMetadataNotFoundException);
var OpsMetadataTooManyUpdatesException$ = [-3, n0, _OMTMUE,
    { [_aQE]: [`OpsMetadataTooManyUpdatesException`, 429], [_e]: _c },
    [_m],
    [0]
];
n0_registry.registerError(OpsMetadataTooManyUpdatesException$, OpsMetadataTooManyUpdatesException);
var ParameterAlreadyExists$ = [-3, n0, _PAE,
    { [_aQE]: [`ParameterAlreadyExists`, 400], [_e]: _c },
    [_m],
    [0]
];
n0_registry.registerError(ParameterAlreadyExists$, ParameterAlreadyExists);
var ParameterLimitExceeded$ = [-3, n0, _PLE,
    { [_aQE]: [`ParameterLimitExceeded`, 429], [_e]: _c },
    [_m],
    [0]
];
n0_registry.registerError(ParameterLimitExceeded$, ParameterLimitExceeded);
var ParameterMaxVersionLimitExceeded$ = [-3, n0, _PMVLE,
    { [_aQE]: [`ParameterMaxVersionLimitExceeded`, 400], [_e]: _c },
    [_m],
    [0]
];
n0_registry.registerError(ParameterMaxVersionLimitExceeded$, ParameterMaxVersionLimitExceeded);
var ParameterNotFound$ = [-3, n0, _PNF,
    { [_aQE]: [`ParameterNotFound`, 404], [_e]: _c },
    [_m],
    [0]
];
n0_registry.registerError(ParameterNotFound$, ParameterNotFound);
var ParameterPatternMismatchException$ = [-3, n0, _PPME,
    { [_aQE]: [`ParameterPatternMismatchException`, 400], [_e]: _c },
    [_m],
    [0]
];
n0_registry.registerError(ParameterPatternMismatchException$, ParameterPatternMismatchException);
var ParameterVersionLabelLimitExceeded$ = [-3, n0, _PVLLE,
    { [_aQE]: [`ParameterVersionLabelLimitExceeded`, 400], [_e]: _c },
    [_m],
    [0]
];
n0_registry.registerError(ParameterVersionLabelLimitExceeded$, ParameterVersionLabelLimitExceeded);
var ParameterVersionNotFound$ = [-3, n0, _PVNF,
    { [_aQE]: [`ParameterVersionNotFound`, 400], [_e]: _c },
    [_m],
    [0]
];
n0_registry.registerError(ParameterVersionNotFound$, ParameterVersionNotFound);
var PoliciesLimitExceededException$ = [-3, n0, _PLEE,
    { [_aQE]: [`PoliciesLimitExceededException`, 400], [_e]: _c },
    [_m],
    [0]
];
n0_registry.registerError(PoliciesLimitExceededException$, PoliciesLimitExceededException);
var ResourceDataSyncAlreadyExistsException$ = [-3, n0, _RDSAEE,
    { [_aQE]: [`ResourceDataSyncAlreadyExists`, 400], [_e]: _c },
    [_SN],
    [0]
];
n0_registry.registerError(ResourceDataSyncAlreadyExistsException$, ResourceDataSyncAlreadyExistsException);
var ResourceDataSyncConflictException$ = [-3, n0, _RDSCE,
    { [_aQE]: [`ResourceDataSyncConflictException`, 409], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(ResourceDataSyncConflictException$, ResourceDataSyncConflictException);
var ResourceDataSyncCountExceededException$ = [-3, n0, _RDSCEE,
    { [_aQE]: [`ResourceDataSyncCountExceeded`, 400], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(ResourceDataSyncCountExceededException$, ResourceDataSyncCountExceededException);
var ResourceDataSyncInvalidConfigurationException$ = [-3, n0, _RDSICE,
    { [_aQE]: [`ResourceDataSyncInvalidConfiguration`, 400], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(ResourceDataSyncInvalidConfigurationException$, ResourceDataSyncInvalidConfigurationException);
var ResourceDataSyncNotFoundException$ = [-3, n0, _RDSNFE,
    { [_aQE]: [`ResourceDataSyncNotFound`, 404], [_e]: _c },
    [_SN, _ST, _M],
    [0, 0, 0]
];
n0_registry.registerError(ResourceDataSyncNotFoundException$, ResourceDataSyncNotFoundException);
var ResourceInUseException$ = [-3, n0, _RIUE,
    { [_aQE]: [`ResourceInUseException`, 400], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(ResourceInUseException$, ResourceInUseException);
var ResourceLimitExceededException$ = [-3, n0, _RLEE,
    { [_aQE]: [`ResourceLimitExceededException`, 400], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(ResourceLimitExceededException$, ResourceLimitExceededException);
var ResourceNotFoundException$ = [-3, n0, _RNFE,
    { [_aQE]: [`ResourceNotFoundException`, 404], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(ResourceNotFoundException$, ResourceNotFoundException);
var ResourcePolicyConflictException$ = [-3, n0, _RPCE,
    { [_aQE]: [`ResourcePolicyConflictException`, 400], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(ResourcePolicyConflictException$, ResourcePolicyConflictException);
var ResourcePolicyInvalidParameterException$ = [-3, n0, _RPIPE,
    { [_aQE]: [`ResourcePolicyInvalidParameterException`, 400], [_e]: _c },
    [_PN, _M],
    [64 | 0, 0]
];
n0_registry.registerError(ResourcePolicyInvalidParameterException$, ResourcePolicyInvalidParameterException);
var ResourcePolicyLimitExceededException$ = [-3, n0, _RPLEE,
    { [_aQE]: [`ResourcePolicyLimitExceededException`, 400], [_e]: _c },
    [_L, _LT, _M],
    [1, 0, 0]
];
n0_registry.registerError(ResourcePolicyLimitExceededException$, ResourcePolicyLimitExceededException);
var ResourcePolicyNotFoundException$ = [-3, n0, _RPNFE,
    { [_aQE]: [`ResourcePolicyNotFoundException`, 404], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(ResourcePolicyNotFoundException$, ResourcePolicyNotFoundException);
var ServiceQuotaExceededException$ = [-3, n0, _SQEE,
    { [_e]: _c },
    [_M, _QC, _SC, _RI, _RTe],
    [0, 0, 0, 0, 0], 3
];
n0_registry.registerError(ServiceQuotaExceededException$, ServiceQuotaExceededException);
var ServiceSettingNotFound$ = [-3, n0, _SSNF,
    { [_aQE]: [`ServiceSettingNotFound`, 400], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(ServiceSettingNotFound$, ServiceSettingNotFound);
var StatusUnchanged$ = [-3, n0, _SU,
    { [_aQE]: [`StatusUnchanged`, 400], [_e]: _c },
    [],
    []
];
n0_registry.registerError(StatusUnchanged$, StatusUnchanged);
var SubTypeCountLimitExceededException$ = [-3, n0, _STCLEE,
    { [_aQE]: [`SubTypeCountLimitExceeded`, 400], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(SubTypeCountLimitExceededException$, SubTypeCountLimitExceededException);
var TargetInUseException$ = [-3, n0, _TIUE,
    { [_aQE]: [`TargetInUseException`, 400], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(TargetInUseException$, TargetInUseException);
var TargetNotConnected$ = [-3, n0, _TNC,
    { [_aQE]: [`TargetNotConnected`, 430], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(TargetNotConnected$, TargetNotConnected);
var ThrottlingException$ = [-3, n0, _TE,
    { [_e]: _c },
    [_M, _QC, _SC],
    [0, 0, 0], 1
];
n0_registry.registerError(ThrottlingException$, ThrottlingException);
var TooManyTagsError$ = [-3, n0, _TMTE,
    { [_aQE]: [`TooManyTagsError`, 400], [_e]: _c },
    [],
    []
];
n0_registry.registerError(TooManyTagsError$, TooManyTagsError);
var TooManyUpdates$ = [-3, n0, _TMU,
    { [_aQE]: [`TooManyUpdates`, 429], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(TooManyUpdates$, TooManyUpdates);
var TotalSizeLimitExceededException$ = [-3, n0, _TSLEE,
    { [_aQE]: [`TotalSizeLimitExceeded`, 400], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(TotalSizeLimitExceededException$, TotalSizeLimitExceededException);
var UnsupportedCalendarException$ = [-3, n0, _UCE,
    { [_aQE]: [`UnsupportedCalendarException`, 400], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(UnsupportedCalendarException$, UnsupportedCalendarException);
var UnsupportedFeatureRequiredException$ = [-3, n0, _UFRE,
    { [_aQE]: [`UnsupportedFeatureRequiredException`, 400], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(UnsupportedFeatureRequiredException$, UnsupportedFeatureRequiredException);
var UnsupportedInventoryItemContextException$ = [-3, n0, _UIICE,
    { [_aQE]: [`UnsupportedInventoryItemContext`, 400], [_e]: _c },
    [_TN, _M],
    [0, 0]
];
n0_registry.registerError(UnsupportedInventoryItemContextException$, UnsupportedInventoryItemContextException);
var UnsupportedInventorySchemaVersionException$ = [-3, n0, _UISVE,
    { [_aQE]: [`UnsupportedInventorySchemaVersion`, 400], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(UnsupportedInventorySchemaVersionException$, UnsupportedInventorySchemaVersionException);
var UnsupportedOperatingSystem$ = [-3, n0, _UOS,
    { [_aQE]: [`UnsupportedOperatingSystem`, 400], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(UnsupportedOperatingSystem$, UnsupportedOperatingSystem);
var UnsupportedOperationException$ = [-3, n0, _UOE,
    { [_aQE]: [`UnsupportedOperation`, 400], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(UnsupportedOperationException$, UnsupportedOperationException);
var UnsupportedParameterType$ = [-3, n0, _UPT,
    { [_aQE]: [`UnsupportedParameterType`, 400], [_e]: _c },
    [_m],
    [0]
];
n0_registry.registerError(UnsupportedParameterType$, UnsupportedParameterType);
var UnsupportedPlatformType$ = [-3, n0, _UPTn,
    { [_aQE]: [`UnsupportedPlatformType`, 400], [_e]: _c },
    [_M],
    [0]
];
n0_registry.registerError(UnsupportedPlatformType$, UnsupportedPlatformType);
var ValidationException$ = [-3, n0, _VE,
    { [_aQE]: [`ValidationException`, 400], [_e]: _c },
    [_M, _RC],
    [0, 0]
];
n0_registry.registerError(ValidationException$, ValidationException);
const errorTypeRegistries = [
    _s_registry,
    n0_registry,
];
var AccessKeySecretType = [0, n0, _AKST, 8, 0];
var IPAddress = [0, n0, _IPA, 8, 0];
var MaintenanceWindowDescription = [0, n0, _MWD, 8, 0];
var MaintenanceWindowExecutionTaskInvocationParameters = [0, n0, _MWETIP, 8, 0];
var MaintenanceWindowLambdaPayload = [0, n0, _MWLP, 8, 21];
var MaintenanceWindowStepFunctionsInput = [0, n0, _MWSFI, 8, 0];
var MaintenanceWindowTaskParameterValue = [0, n0, _MWTPV, 8, 0];
var OwnerInformation = [0, n0, _OI, 8, 0];
var PatchSourceConfiguration = [0, n0, _PSC, 8, 0];
var PSParameterValue = [0, n0, _PSPV, 8, 0];
var SessionTokenType = [0, n0, _STT, 8, 0];
var AccountSharingInfo$ = [3, n0, _ASI,
    0,
    [_AIc, _SDV],
    [0, 0]
];
var Activation$ = [3, n0, _A,
    0,
    [_AIct, _D, _DIN, _IRa, _RL, _RCe, _ED, _E, _CD, _T],
    [0, 0, 0, 0, 1, 1, 4, 2, 4, () => TagList]
];
var AddTagsToResourceRequest$ = [3, n0, _ATTRR,
    0,
    [_RTe, _RI, _T],
    [0, 0, () => TagList], 3
];
var AddTagsToResourceResult$ = [3, n0, _ATTRRd,
    0,
    [],
    []
];
var Alarm$ = [3, n0, _Al,
    0,
    [_N],
    [0], 1
];
var AlarmConfiguration$ = [3, n0, _AC,
    0,
    [_Ala, _IPAF],
    [() => AlarmList, 2], 1
];
var AlarmStateInformation$ = [3, n0, _ASIl,
    0,
    [_N, _S],
    [0, 0], 2
];
var AssociateOpsItemRelatedItemRequest$ = [3, n0, _AOIRIR,
    0,
    [_OII, _AT, _RTe, _RU],
    [0, 0, 0, 0], 4
];
var AssociateOpsItemRelatedItemResponse$ = [3, n0, _AOIRIRs,
    0,
    [_AIs],
    [0]
];
var Association$ = [3, n0, _As,
    0,
    [_N, _II, _AIs, _AV, _DV, _Ta, _LED, _O, _SE, _AN, _SO, _Du, _TM],
    [0, 0, 0, 0, 0, () => Targets, 4, () => AssociationOverview$, 0, 0, 1, 1, [1, n0, _TM, 0, [2, n0, _TMa, 0, 0, 64 | 0]]]
];
var AssociationDescription$ = [3, n0, _AD,
    0,
    [_N, _II, _AV, _Da, _LUAD, _St, _O, _DV, _ATPN, _P, _AIs, _Ta, _SE, _OL, _LED, _LSED, _AN, _ME, _MC, _CS, _SCy, _AOACI, _CN, _TL, _SO, _Du, _TM, _AC, _TA, _ADAR],
    [0, 0, 0, 4, 4, () => AssociationStatus$, () => AssociationOverview$, 0, 0, [() => _Parameters, 0], 0, () => Targets, 0, () => InstanceAssociationOutputLocation$, 4, 4, 0, 0, 0, 0, 0, 2, 64 | 0, () => TargetLocations, 1, 1, [1, n0, _TM, 0, [2, n0, _TMa, 0, 0, 64 | 0]], () => AlarmConfiguration$, () => AlarmStateInformationList, 0]
];
var AssociationExecution$ = [3, n0, _AE,
    0,
    [_AIs, _AV, _EI, _St, _DS, _CT, _LED, _RCBS, _AC, _TA],
    [0, 0, 0, 0, 0, 4, 4, 0, () => AlarmConfiguration$, () => AlarmStateInformationList]
];
var AssociationExecutionFilter$ = [3, n0, _AEF,
    0,
    [_K, _V, _Ty],
    [0, 0, 0], 3
];
var AssociationExecutionTarget$ = [3, n0, _AET,
    0,
    [_AIs, _AV, _EI, _RI, _RTe, _St, _DS, _LED, _OS],
    [0, 0, 0, 0, 0, 0, 0, 4, () => OutputSource$]
];
var AssociationExecutionTargetsFilter$ = [3, n0, _AETF,
    0,
    [_K, _V],
    [0, 0], 2
];
var AssociationFilter$ = [3, n0, _AF,
    0,
    [_k, _v],
    [0, 0], 2
];
var AssociationOverview$ = [3, n0, _AO,
    0,
    [_St, _DS, _ASAC],
    [0, 0, 128 | 1]
];
var AssociationStatus$ = [3, n0, _AS,
    0,
    [_Da, _N, _M, _AId],
    [4, 0, 0, 0], 3
];
var AssociationVersionInfo$ = [3, n0, _AVI,
    0,
    [_AIs, _AV, _CD, _N, _DV, _P, _Ta, _SE, _OL, _AN, _ME, _MC, _CS, _SCy, _AOACI, _CN, _TL, _SO, _Du, _TM, _ADAR],
    [0, 0, 4, 0, 0, [() => _Parameters, 0], () => Targets, 0, () => InstanceAssociationOutputLocation$, 0, 0, 0, 0, 0, 2, 64 | 0, () => TargetLocations, 1, 1, [1, n0, _TM, 0, [2, n0, _TMa, 0, 0, 64 | 0]], 0]
];
var AttachmentContent$ = [3, n0, _ACt,
    0,
    [_N, _Si, _H, _HT, _U],
    [0, 1, 0, 0, 0]
];
var AttachmentInformation$ = [3, n0, _AIt,
    0,
    [_N],
    [0]
];
var AttachmentsSource$ = [3, n0, _ASt,
    0,
    [_K, _Va, _N],
    [0, 64 | 0, 0]
];
var AutomationExecution$ = [3, n0, _AEu,
    0,
    [_AEI, _DN, _DV, _EST, _EET, _AES, _SEt, _SET, _P, _Ou, _FM, _WM, _Mo, _PAEI, _EB, _CSN, _CA, _TPN, _Ta, _TM, _RTes, _MC, _ME, _Tar, _TL, _PC, _AC, _TA, _TLURL, _ASu, _STc, _R, _OII, _AIs, _CRN, _Var, _TS],
    [0, 0, 0, 4, 4, 0, () => StepExecutionList, 2, [2, n0, _APM, 0, 0, 64 | 0], [2, n0, _APM, 0, 0, 64 | 0], 0, 0, 0, 0, 0, 0, 0, 0, () => Targets, [1, n0, _TM, 0, [2, n0, _TMa, 0, 0, 64 | 0]], () => ResolvedTargets$, 0, 0, 0, () => TargetLocations, () => ProgressCounters$, () => AlarmConfiguration$, () => AlarmStateInformationList, 0, 0, 4, () => Runbooks, 0, 0, 0, [2, n0, _APM, 0, 0, 64 | 0], () => TargetsSummary$]
];
var AutomationExecutionFilter$ = [3, n0, _AEFu,
    0,
    [_K, _Va],
    [0, 64 | 0], 2
];
var AutomationExecutionInputs$ = [3, n0, _AEIu,
    0,
    [_P, _TPN, _Ta, _TM, _TL, _TLURL],
    [[2, n0, _APM, 0, 0, 64 | 0], 0, () => AutomationTargets, [1, n0, _TM, 0, [2, n0, _TMa, 0, 0, 64 | 0]], () => TargetLocations, 0]
];
var AutomationExecutionMetadata$ = [3, n0, _AEM,
    0,
    [_AEI, _DN, _DV, _AES, _EST, _EET, _EB, _LF, _Ou, _Mo, _PAEI, _CSN, _CA, _FM, _WM, _TPN, _Ta, _TM, _RTes, _MC, _ME, _Tar, _ATu, _AC, _TA, _TLURL, _ASu, _STc, _R, _OII, _AIs, _CRN],
    [0, 0, 0, 0, 4, 4, 0, 0, [2, n0, _APM, 0, 0, 64 | 0], 0, 0, 0, 0, 0, 0, 0, () => Targets, [1, n0, _TM, 0, [2, n0, _TMa, 0, 0, 64 | 0]], () => ResolvedTargets$, 0, 0, 0, 0, () => AlarmConfiguration$, () => AlarmStateInformationList, 0, 0, 4, () => Runbooks, 0, 0, 0]
];
var AutomationExecutionPreview$ = [3, n0, _AEP,
    0,
    [_SP, _Re, _TP, _TAo],
    [128 | 1, 64 | 0, () => TargetPreviewList, 1]
];
var AzureConfiguration$ = [3, n0, _ACz,
    0,
    [_TI, _AIp, _TDN, _ADN, _Ta],
    [0, 0, 0, 0, () => ConfigurationTargets$], 2
];
var AzureSubscription$ = [3, n0, _ASz,
    0,
    [_I, _DNi],
    [0, 0], 1
];
var BaselineOverride$ = [3, n0, _BO,
    0,
    [_OSp, _GF, _AR, _AP, _APCL, _RP, _RPA, _APENS, _So, _ASUCS],
    [0, () => PatchFilterGroup$, () => PatchRuleGroup$, 64 | 0, 0, 64 | 0, 0, 2, [() => PatchSourceList, 0], 0]
];
var CancelCommandRequest$ = [3, n0, _CCR,
    0,
    [_CI, _IIn],
    [0, 64 | 0], 1
];
var CancelCommandResult$ = [3, n0, _CCRa,
    0,
    [],
    []
];
var CancelMaintenanceWindowExecutionRequest$ = [3, n0, _CMWER,
    0,
    [_WEI],
    [0], 1
];
var CancelMaintenanceWindowExecutionResult$ = [3, n0, _CMWERa,
    0,
    [_WEI],
    [0]
];
var CloudConnectorFilter$ = [3, n0, _CCF,
    0,
    [_FK, _FV],
    [0, 64 | 0]
];
var CloudConnectorSummary$ = [3, n0, _CCS,
    0,
    [_CCI, _DNi, _D, _RA, _CAr, _UA, _Pr, _CCA],
    [0, 0, 0, 0, 4, 4, 0, 0]
];
var CloudWatchOutputConfig$ = [3, n0, _CWOC,
    0,
    [_CWLGN, _CWOE],
    [0, 2]
];
var Command$ = [3, n0, _C,
    0,
    [_CI, _DN, _DV, _Co, _EA, _P, _IIn, _Ta, _RDT, _St, _SD, _OSR, _OSBN, _OSKP, _MC, _ME, _TC, _CC, _EC, _DTOC, _SR, _NC, _CWOC, _TSi, _AC, _TA],
    [0, 0, 0, 0, 4, [() => _Parameters, 0], 64 | 0, () => Targets, 4, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0, () => NotificationConfig$, () => CloudWatchOutputConfig$, 1, () => AlarmConfiguration$, () => AlarmStateInformationList]
];
var CommandFilter$ = [3, n0, _CF,
    0,
    [_k, _v],
    [0, 0], 2
];
var CommandInvocation$ = [3, n0, _CIo,
    0,
    [_CI, _II, _IN, _Co, _DN, _DV, _RDT, _St, _SD, _TO, _SOU, _SEU, _CP, _SR, _NC, _CWOC],
    [0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, () => CommandPluginList, 0, () => NotificationConfig$, () => CloudWatchOutputConfig$]
];
var CommandPlugin$ = [3, n0, _CPo,
    0,
    [_N, _St, _SD, _RCes, _RSDT, _RFDT, _Out, _SOU, _SEU, _OSR, _OSBN, _OSKP],
    [0, 0, 0, 1, 4, 4, 0, 0, 0, 0, 0, 0]
];
var ComplianceExecutionSummary$ = [3, n0, _CES,
    0,
    [_ET, _EI, _ETx],
    [4, 0, 0], 1
];
var ComplianceItem$ = [3, n0, _CIom,
    0,
    [_CTo, _RTe, _RI, _I, _Ti, _St, _Se, _ES, _De],
    [0, 0, 0, 0, 0, 0, 0, () => ComplianceExecutionSummary$, 128 | 0]
];
var ComplianceItemEntry$ = [3, n0, _CIE,
    0,
    [_Se, _St, _I, _Ti, _De],
    [0, 0, 0, 0, 128 | 0], 2
];
var ComplianceStringFilter$ = [3, n0, _CSF,
    0,
    [_K, _Va, _Ty],
    [0, [() => ComplianceStringFilterValueList, 0], 0]
];
var ComplianceSummaryItem$ = [3, n0, _CSI,
    0,
    [_CTo, _CSo, _NCS],
    [0, () => CompliantSummary$, () => NonCompliantSummary$]
];
var CompliantSummary$ = [3, n0, _CSo,
    0,
    [_CCo, _SS],
    [1, () => SeveritySummary$]
];
var CreateActivationRequest$ = [3, n0, _CAR,
    0,
    [_IRa, _D, _DIN, _RL, _ED, _T, _RM],
    [0, 0, 0, 1, 4, () => TagList, () => RegistrationMetadataList], 1
];
var CreateActivationResult$ = [3, n0, _CARr,
    0,
    [_AIct, _ACc],
    [0, 0]
];
var CreateAssociationBatchRequest$ = [3, n0, _CABR,
    0,
    [_En, _ADAR],
    [[() => CreateAssociationBatchRequestEntries, 0], 0], 1
];
var CreateAssociationBatchRequestEntry$ = [3, n0, _CABRE,
    0,
    [_N, _II, _P, _ATPN, _DV, _Ta, _SE, _OL, _AN, _ME, _MC, _CS, _SCy, _AOACI, _CN, _TL, _SO, _Du, _TM, _AC],
    [0, 0, [() => _Parameters, 0], 0, 0, () => Targets, 0, () => InstanceAssociationOutputLocation$, 0, 0, 0, 0, 0, 2, 64 | 0, () => TargetLocations, 1, 1, [1, n0, _TM, 0, [2, n0, _TMa, 0, 0, 64 | 0]], () => AlarmConfiguration$], 1
];
var CreateAssociationBatchResult$ = [3, n0, _CABRr,
    0,
    [_Su, _F],
    [[() => AssociationDescriptionList, 0], [() => FailedCreateAssociationList, 0]]
];
var CreateAssociationRequest$ = [3, n0, _CARre,
    0,
    [_N, _DV, _II, _P, _Ta, _SE, _OL, _AN, _ATPN, _ME, _MC, _CS, _SCy, _AOACI, _CN, _TL, _SO, _Du, _TM, _T, _AC, _ADAR],
    [0, 0, 0, [() => _Parameters, 0], () => Targets, 0, () => InstanceAssociationOutputLocation$, 0, 0, 0, 0, 0, 0, 2, 64 | 0, () => TargetLocations, 1, 1, [1, n0, _TM, 0, [2, n0, _TMa, 0, 0, 64 | 0]], () => TagList, () => AlarmConfiguration$, 0], 1
];
var CreateAssociationResult$ = [3, n0, _CARrea,
    0,
    [_AD],
    [[() => AssociationDescription$, 0]]
];
var CreateCloudConnectorRequest$ = [3, n0, _CCCR,
    0,
    [_DNi, _RA, _Con, _D, _CCA, _T],
    [0, 0, () => CloudConnectorConfiguration$, 0, 0, () => TagList], 3
];
var CreateCloudConnectorResult$ = [3, n0, _CCCRr,
    0,
    [_CCI],
    [0]
];
var CreateDocumentRequest$ = [3, n0, _CDR,
    0,
    [_Cont, _N, _Req, _At, _DNi, _VN, _DT, _DF, _TT, _T],
    [0, 0, () => DocumentRequiresList, () => AttachmentsSourceList, 0, 0, 0, 0, 0, () => TagList], 2
];
var CreateDocumentResult$ = [3, n0, _CDRr,
    0,
    [_DD],
    [[() => DocumentDescription$, 0]]
];
var CreateMaintenanceWindowRequest$ = [3, n0, _CMWR,
    0,
    [_N, _Sc, _Du, _Cu, _AUT, _D, _SDt, _EDn, _STch, _SO, _CTl, _T],
    [0, 0, 1, 1, 2, [() => MaintenanceWindowDescription, 0], 0, 0, 0, 1, [0, 4], () => TagList], 5
];
var CreateMaintenanceWindowResult$ = [3, n0, _CMWRr,
    0,
    [_WI],
    [0]
];
var CreateOpsItemRequest$ = [3, n0, _COIR,
    0,
    [_D, _Sou, _Ti, _OIT, _OD, _No, _Pri, _ROI, _T, _Ca, _Se, _AST, _AETc, _PST, _PET, _AIc],
    [0, 0, 0, 0, () => OpsItemOperationalData, () => OpsItemNotifications, 1, () => RelatedOpsItems, () => TagList, 0, 0, 4, 4, 4, 4, 0], 3
];
var CreateOpsItemResponse$ = [3, n0, _COIRr,
    0,
    [_OII, _OIA],
    [0, 0]
];
var CreateOpsMetadataRequest$ = [3, n0, _COMR,
    0,
    [_RI, _Me, _T],
    [0, () => MetadataMap, () => TagList], 1
];
var CreateOpsMetadataResult$ = [3, n0, _COMRr,
    0,
    [_OMA],
    [0]
];
var CreatePatchBaselineRequest$ = [3, n0, _CPBR,
    0,
    [_N, _OSp, _GF, _AR, _AP, _APCL, _APENS, _RP, _RPA, _D, _So, _ASUCS, _CTl, _T],
    [0, 0, () => PatchFilterGroup$, () => PatchRuleGroup$, 64 | 0, 0, 2, 64 | 0, 0, 0, [() => PatchSourceList, 0], 0, [0, 4], () => TagList], 1
];
var CreatePatchBaselineResult$ = [3, n0, _CPBRr,
    0,
    [_BI],
    [0]
];
var CreateResourceDataSyncRequest$ = [3, n0, _CRDSR,
    0,
    [_SN, _SDe, _ST, _SSy],
    [0, () => ResourceDataSyncS3Destination$, 0, () => ResourceDataSyncSource$], 1
];
var CreateResourceDataSyncResult$ = [3, n0, _CRDSRr,
    0,
    [],
    []
];
var Credentials$ = [3, n0, _Cr,
    0,
    [_AKI, _SAK, _STe, _ETxp],
    [0, [() => AccessKeySecretType, 0], [() => SessionTokenType, 0], 4], 4
];
var DeleteActivationRequest$ = [3, n0, _DAR,
    0,
    [_AIct],
    [0], 1
];
var DeleteActivationResult$ = [3, n0, _DARe,
    0,
    [],
    []
];
var DeleteAssociationRequest$ = [3, n0, _DARel,
    0,
    [_N, _II, _AIs],
    [0, 0, 0]
];
var DeleteAssociationResult$ = [3, n0, _DARele,
    0,
    [],
    []
];
var DeleteCloudConnectorRequest$ = [3, n0, _DCCR,
    0,
    [_CCI],
    [0], 1
];
var DeleteCloudConnectorResult$ = [3, n0, _DCCRe,
    0,
    [_CCI],
    [0]
];
var DeleteDocumentRequest$ = [3, n0, _DDR,
    0,
    [_N, _DV, _VN, _Fo],
    [0, 0, 0, 2], 1
];
var DeleteDocumentResult$ = [3, n0, _DDRe,
    0,
    [],
    []
];
var DeleteInventoryRequest$ = [3, n0, _DIR,
    0,
    [_TN, _SDO, _DR, _CTl],
    [0, 0, 2, [0, 4]], 1
];
var DeleteInventoryResult$ = [3, n0, _DIRe,
    0,
    [_DI, _TN, _DSe],
    [0, 0, () => InventoryDeletionSummary$]
];
var DeleteMaintenanceWindowRequest$ = [3, n0, _DMWR,
    0,
    [_WI],
    [0], 1
];
var DeleteMaintenanceWindowResult$ = [3, n0, _DMWRe,
    0,
    [_WI],
    [0]
];
var DeleteOpsItemRequest$ = [3, n0, _DOIR,
    0,
    [_OII],
    [0], 1
];
var DeleteOpsItemResponse$ = [3, n0, _DOIRe,
    0,
    [],
    []
];
var DeleteOpsMetadataRequest$ = [3, n0, _DOMR,
    0,
    [_OMA],
    [0], 1
];
var DeleteOpsMetadataResult$ = [3, n0, _DOMRe,
    0,
    [],
    []
];
var DeleteParameterRequest$ = [3, n0, _DPR,
    0,
    [_N],
    [0], 1
];
var DeleteParameterResult$ = [3, n0, _DPRe,
    0,
    [],
    []
];
var DeleteParametersRequest$ = [3, n0, _DPRel,
    0,
    [_Na],
    [64 | 0], 1
];
var DeleteParametersResult$ = [3, n0, _DPRele,
    0,
    [_DP, _IP],
    [64 | 0, 64 | 0]
];
var DeletePatchBaselineRequest$ = [3, n0, _DPBR,
    0,
    [_BI],
    [0], 1
];
var DeletePatchBaselineResult$ = [3, n0, _DPBRe,
    0,
    [_BI],
    [0]
];
var DeleteResourceDataSyncRequest$ = [3, n0, _DRDSR,
    0,
    [_SN, _ST],
    [0, 0], 1
];
var DeleteResourceDataSyncResult$ = [3, n0, _DRDSRe,
    0,
    [],
    []
];
var DeleteResourcePolicyRequest$ = [3, n0, _DRPR,
    0,
    [_RAe, _PI, _PH, _DM],
    [0, 0, 0, 0], 3
];
var DeleteResourcePolicyResponse$ = [3, n0, _DRPRe,
    0,
    [],
    []
];
var DeregisterDefaultHostManagementConfigurationRequest$ = [3, n0, _DDHMCR,
    0,
    [],
    []
];
var DeregisterDefaultHostManagementConfigurationResult$ = [3, n0, _DDHMCRe,
    0,
    [],
    []
];
var DeregisterManagedInstanceRequest$ = [3, n0, _DMIR,
    0,
    [_II],
    [0], 1
];
var DeregisterManagedInstanceResult$ = [3, n0, _DMIRe,
    0,
    [],
    []
];
var DeregisterPatchBaselineForPatchGroupRequest$ = [3, n0, _DPBFPGR,
    0,
    [_BI, _PG],
    [0, 0], 2
];
var DeregisterPatchBaselineForPatchGroupResult$ = [3, n0, _DPBFPGRe,
    0,
    [_BI, _PG],
    [0, 0]
];
var DeregisterTargetFromMaintenanceWindowRequest$ = [3, n0, _DTFMWR,
    0,
    [_WI, _WTI, _Sa],
    [0, 0, 2], 2
];
var DeregisterTargetFromMaintenanceWindowResult$ = [3, n0, _DTFMWRe,
    0,
    [_WI, _WTI],
    [0, 0]
];
var DeregisterTaskFromMaintenanceWindowRequest$ = [3, n0, _DTFMWRer,
    0,
    [_WI, _WTIi],
    [0, 0], 2
];
var DeregisterTaskFromMaintenanceWindowResult$ = [3, n0, _DTFMWRere,
    0,
    [_WI, _WTIi],
    [0, 0]
];
var DescribeActivationsFilter$ = [3, n0, _DAF,
    0,
    [_FK, _FV],
    [0, 64 | 0]
];
var DescribeActivationsRequest$ = [3, n0, _DARes,
    0,
    [_Fi, _MR, _NT],
    [() => DescribeActivationsFilterList, 1, 0]
];
var DescribeActivationsResult$ = [3, n0, _DAResc,
    0,
    [_AL, _NT],
    [() => ActivationList, 0]
];
var DescribeAssociationExecutionsRequest$ = [3, n0, _DAER,
    0,
    [_AIs, _Fi, _MR, _NT],
    [0, [() => AssociationExecutionFilterList, 0], 1, 0], 1
];
var DescribeAssociationExecutionsResult$ = [3, n0, _DAERe,
    0,
    [_AEs, _NT],
    [[() => AssociationExecutionsList, 0], 0]
];
var DescribeAssociationExecutionTargetsRequest$ = [3, n0, _DAETR,
    0,
    [_AIs, _EI, _Fi, _MR, _NT],
    [0, 0, [() => AssociationExecutionTargetsFilterList, 0], 1, 0], 2
];
var DescribeAssociationExecutionTargetsResult$ = [3, n0, _DAETRe,
    0,
    [_AETs, _NT],
    [[() => AssociationExecutionTargetsList, 0], 0]
];
var DescribeAssociationRequest$ = [3, n0, _DARescr,
    0,
    [_N, _II, _AIs, _AV],
    [0, 0, 0, 0]
];
var DescribeAssociationResult$ = [3, n0, _DARescri,
    0,
    [_AD],
    [[() => AssociationDescription$, 0]]
];
var DescribeAutomationExecutionsRequest$ = [3, n0, _DAERes,
    0,
    [_Fi, _MR, _NT],
    [() => AutomationExecutionFilterList, 1, 0]
];
var DescribeAutomationExecutionsResult$ = [3, n0, _DAEResc,
    0,
    [_AEML, _NT],
    [() => AutomationExecutionMetadataList, 0]
];
var DescribeAutomationStepExecutionsRequest$ = [3, n0, _DASER,
    0,
    [_AEI, _Fi, _NT, _MR, _RO],
    [0, () => StepExecutionFilterList, 0, 1, 2], 1
];
var DescribeAutomationStepExecutionsResult$ = [3, n0, _DASERe,
    0,
    [_SEt, _NT],
    [() => StepExecutionList, 0]
];
var DescribeAvailablePatchesRequest$ = [3, n0, _DAPR,
    0,
    [_Fi, _MR, _NT],
    [() => PatchOrchestratorFilterList, 1, 0]
];
var DescribeAvailablePatchesResult$ = [3, n0, _DAPRe,
    0,
    [_Pa, _NT],
    [() => PatchList, 0]
];
var DescribeDocumentPermissionRequest$ = [3, n0, _DDPR,
    0,
    [_N, _PT, _MR, _NT],
    [0, 0, 1, 0], 2
];
var DescribeDocumentPermissionResponse$ = [3, n0, _DDPRe,
    0,
    [_AIcc, _ASIL, _NT],
    [[() => AccountIdList, 0], [() => AccountSharingInfoList, 0], 0]
];
var DescribeDocumentRequest$ = [3, n0, _DDRes,
    0,
    [_N, _DV, _VN],
    [0, 0, 0], 1
];
var DescribeDocumentResult$ = [3, n0, _DDResc,
    0,
    [_Do],
    [[() => DocumentDescription$, 0]]
];
var DescribeEffectiveInstanceAssociationsRequest$ = [3, n0, _DEIAR,
    0,
    [_II, _MR, _NT],
    [0, 1, 0], 1
];
var DescribeEffectiveInstanceAssociationsResult$ = [3, n0, _DEIARe,
    0,
    [_Ass, _NT],
    [() => InstanceAssociationList, 0]
];
var DescribeEffectivePatchesForPatchBaselineRequest$ = [3, n0, _DEPFPBR,
    0,
    [_BI, _MR, _NT],
    [0, 1, 0], 1
];
var DescribeEffectivePatchesForPatchBaselineResult$ = [3, n0, _DEPFPBRe,
    0,
    [_EP, _NT],
    [() => EffectivePatchList, 0]
];
var DescribeInstanceAssociationsStatusRequest$ = [3, n0, _DIASR,
    0,
    [_II, _MR, _NT],
    [0, 1, 0], 1
];
var DescribeInstanceAssociationsStatusResult$ = [3, n0, _DIASRe,
    0,
    [_IASI, _NT],
    [() => InstanceAssociationStatusInfos, 0]
];
var DescribeInstanceInformationRequest$ = [3, n0, _DIIR,
    0,
    [_IIFL, _Fi, _MR, _NT],
    [[() => InstanceInformationFilterList, 0], [() => InstanceInformationStringFilterList, 0], 1, 0]
];
var DescribeInstanceInformationResult$ = [3, n0, _DIIRe,
    0,
    [_IIL, _NT],
    [[() => InstanceInformationList, 0], 0]
];
var DescribeInstancePatchesRequest$ = [3, n0, _DIPR,
    0,
    [_II, _Fi, _NT, _MR],
    [0, () => PatchOrchestratorFilterList, 0, 1], 1
];
var DescribeInstancePatchesResult$ = [3, n0, _DIPRe,
    0,
    [_Pa, _NT],
    [() => PatchComplianceDataList, 0]
];
var DescribeInstancePatchStatesForPatchGroupRequest$ = [3, n0, _DIPSFPGR,
    0,
    [_PG, _Fi, _NT, _MR],
    [0, () => InstancePatchStateFilterList, 0, 1], 1
];
var DescribeInstancePatchStatesForPatchGroupResult$ = [3, n0, _DIPSFPGRe,
    0,
    [_IPS, _NT],
    [[() => InstancePatchStatesList, 0], 0]
];
var DescribeInstancePatchStatesRequest$ = [3, n0, _DIPSR,
    0,
    [_IIn, _NT, _MR],
    [64 | 0, 0, 1], 1
];
var DescribeInstancePatchStatesResult$ = [3, n0, _DIPSRe,
    0,
    [_IPS, _NT],
    [[() => InstancePatchStateList, 0], 0]
];
var DescribeInstancePropertiesRequest$ = [3, n0, _DIPRes,
    0,
    [_IPFL, _FWO, _MR, _NT],
    [[() => InstancePropertyFilterList, 0], [() => InstancePropertyStringFilterList, 0], 1, 0]
];
var DescribeInstancePropertiesResult$ = [3, n0, _DIPResc,
    0,
    [_IPn, _NT],
    [[() => InstanceProperties, 0], 0]
];
var DescribeInventoryDeletionsRequest$ = [3, n0, _DIDR,
    0,
    [_DI, _NT, _MR],
    [0, 0, 1]
];
var DescribeInventoryDeletionsResult$ = [3, n0, _DIDRe,
    0,
    [_IDn, _NT],
    [() => InventoryDeletionsList, 0]
];
var DescribeMaintenanceWindowExecutionsRequest$ = [3, n0, _DMWER,
    0,
    [_WI, _Fi, _MR, _NT],
    [0, () => MaintenanceWindowFilterList, 1, 0], 1
];
var DescribeMaintenanceWindowExecutionsResult$ = [3, n0, _DMWERe,
    0,
    [_WE, _NT],
    [() => MaintenanceWindowExecutionList, 0]
];
var DescribeMaintenanceWindowExecutionTaskInvocationsRequest$ = [3, n0, _DMWETIR,
    0,
    [_WEI, _TIa, _Fi, _MR, _NT],
    [0, 0, () => MaintenanceWindowFilterList, 1, 0], 2
];
var DescribeMaintenanceWindowExecutionTaskInvocationsResult$ = [3, n0, _DMWETIRe,
    0,
    [_WETII, _NT],
    [[() => MaintenanceWindowExecutionTaskInvocationIdentityList, 0], 0]
];
var DescribeMaintenanceWindowExecutionTasksRequest$ = [3, n0, _DMWETR,
    0,
    [_WEI, _Fi, _MR, _NT],
    [0, () => MaintenanceWindowFilterList, 1, 0], 1
];
var DescribeMaintenanceWindowExecutionTasksResult$ = [3, n0, _DMWETRe,
    0,
    [_WETI, _NT],
    [() => MaintenanceWindowExecutionTaskIdentityList, 0]
];
var DescribeMaintenanceWindowScheduleRequest$ = [3, n0, _DMWSR,
    0,
    [_WI, _Ta, _RTe, _Fi, _MR, _NT],
    [0, () => Targets, 0, () => PatchOrchestratorFilterList, 1, 0]
];
var DescribeMaintenanceWindowScheduleResult$ = [3, n0, _DMWSRe,
    0,
    [_SWE, _NT],
    [() => ScheduledWindowExecutionList, 0]
];
var DescribeMaintenanceWindowsForTargetRequest$ = [3, n0, _DMWFTR,
    0,
    [_Ta, _RTe, _MR, _NT],
    [() => Targets, 0, 1, 0], 2
];
var DescribeMaintenanceWindowsForTargetResult$ = [3, n0, _DMWFTRe,
    0,
    [_WIi, _NT],
    [() => MaintenanceWindowsForTargetList, 0]
];
var DescribeMaintenanceWindowsRequest$ = [3, n0, _DMWRes,
    0,
    [_Fi, _MR, _NT],
    [() => MaintenanceWindowFilterList, 1, 0]
];
var DescribeMaintenanceWindowsResult$ = [3, n0, _DMWResc,
    0,
    [_WIi, _NT],
    [[() => MaintenanceWindowIdentityList, 0], 0]
];
var DescribeMaintenanceWindowTargetsRequest$ = [3, n0, _DMWTR,
    0,
    [_WI, _Fi, _MR, _NT],
    [0, () => MaintenanceWindowFilterList, 1, 0], 1
];
var DescribeMaintenanceWindowTargetsResult$ = [3, n0, _DMWTRe,
    0,
    [_Ta, _NT],
    [[() => MaintenanceWindowTargetList, 0], 0]
];
var DescribeMaintenanceWindowTasksRequest$ = [3, n0, _DMWTRes,
    0,
    [_WI, _Fi, _MR, _NT],
    [0, () => MaintenanceWindowFilterList, 1, 0], 1
];
var DescribeMaintenanceWindowTasksResult$ = [3, n0, _DMWTResc,
    0,
    [_Tas, _NT],
    [[() => MaintenanceWindowTaskList, 0], 0]
];
var DescribeOpsItemsRequest$ = [3, n0, _DOIRes,
    0,
    [_OIF, _MR, _NT],
    [() => OpsItemFilters, 1, 0]
];
var DescribeOpsItemsResponse$ = [3, n0, _DOIResc,
    0,
    [_NT, _OIS],
    [0, () => OpsItemSummaries]
];
var DescribeParametersRequest$ = [3, n0, _DPRes,
    0,
    [_Fi, _PF, _MR, _NT, _Sh],
    [() => ParametersFilterList, () => ParameterStringFilterList, 1, 0, 2]
];
var DescribeParametersResult$ = [3, n0, _DPResc,
    0,
    [_P, _NT],
    [() => ParameterMetadataList, 0]
];
var DescribePatchBaselinesRequest$ = [3, n0, _DPBRes,
    0,
    [_Fi, _MR, _NT],
    [() => PatchOrchestratorFilterList, 1, 0]
];
var DescribePatchBaselinesResult$ = [3, n0, _DPBResc,
    0,
    [_BIa, _NT],
    [() => PatchBaselineIdentityList, 0]
];
var DescribePatchGroupsRequest$ = [3, n0, _DPGR,
    0,
    [_MR, _Fi, _NT],
    [1, () => PatchOrchestratorFilterList, 0]
];
var DescribePatchGroupsResult$ = [3, n0, _DPGRe,
    0,
    [_Ma, _NT],
    [() => PatchGroupPatchBaselineMappingList, 0]
];
var DescribePatchGroupStateRequest$ = [3, n0, _DPGSR,
    0,
    [_PG],
    [0], 1
];
var DescribePatchGroupStateResult$ = [3, n0, _DPGSRe,
    0,
    [_In, _IWIP, _IWIOP, _IWIPRP, _IWIRP, _IWMP, _IWFP, _IWNAP, _IWUNAP, _IWCNCP, _IWSNCP, _IWONCP, _IWASU],
    [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]
];
var DescribePatchPropertiesRequest$ = [3, n0, _DPPR,
    0,
    [_OSp, _Pro, _PS, _MR, _NT],
    [0, 0, 0, 1, 0], 2
];
var DescribePatchPropertiesResult$ = [3, n0, _DPPRe,
    0,
    [_Prop, _NT],
    [[1, n0, _PPL, 0, 128 | 0], 0]
];
var DescribeSessionsRequest$ = [3, n0, _DSR,
    0,
    [_S, _MR, _NT, _Fi],
    [0, 1, 0, () => SessionFilterList], 1
];
var DescribeSessionsResponse$ = [3, n0, _DSRe,
    0,
    [_Ses, _NT],
    [() => SessionList, 0]
];
var DisassociateOpsItemRelatedItemRequest$ = [3, n0, _DOIRIR,
    0,
    [_OII, _AIs],
    [0, 0], 2
];
var DisassociateOpsItemRelatedItemResponse$ = [3, n0, _DOIRIRi,
    0,
    [],
    []
];
var DocumentDefaultVersionDescription$ = [3, n0, _DDVD,
    0,
    [_N, _DVe, _DVN],
    [0, 0, 0]
];
var DocumentDescription$ = [3, n0, _DD,
    0,
    [_Sha, _H, _HT, _N, _DNi, _VN, _Ow, _CD, _St, _SI, _DV, _D, _P, _PTl, _DT, _SV, _LV, _DVe, _DF, _TT, _T, _AItt, _Req, _Au, _RIe, _AVp, _PRV, _RS, _Ca, _CEa],
    [0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, [() => DocumentParameterList, 0], [() => PlatformTypeList, 0], 0, 0, 0, 0, 0, 0, () => TagList, [() => AttachmentInformationList, 0], () => DocumentRequiresList, 0, [() => ReviewInformationList, 0], 0, 0, 0, 64 | 0, 64 | 0]
];
var DocumentFilter$ = [3, n0, _DFo,
    0,
    [_k, _v],
    [0, 0], 2
];
var DocumentIdentifier$ = [3, n0, _DIo,
    0,
    [_N, _CD, _DNi, _Ow, _VN, _PTl, _DV, _DT, _SV, _DF, _TT, _T, _Req, _RS, _Au],
    [0, 4, 0, 0, 0, [() => PlatformTypeList, 0], 0, 0, 0, 0, 0, () => TagList, () => DocumentRequiresList, 0, 0]
];
var DocumentKeyValuesFilter$ = [3, n0, _DKVF,
    0,
    [_K, _Va],
    [0, 64 | 0]
];
var DocumentMetadataResponseInfo$ = [3, n0, _DMRI,
    0,
    [_RR],
    [() => DocumentReviewerResponseList]
];
var DocumentParameter$ = [3, n0, _DPo,
    0,
    [_N, _Ty, _D, _DVef],
    [0, 0, 0, 0]
];
var DocumentRequires$ = [3, n0, _DRo,
    0,
    [_N, _Ve, _RTeq, _VN],
    [0, 0, 0, 0], 1
];
var DocumentReviewCommentSource$ = [3, n0, _DRCS,
    0,
    [_Ty, _Cont],
    [0, 0]
];
var DocumentReviewerResponseSource$ = [3, n0, _DRRS,
    0,
    [_CTr, _UT, _RS, _Co, _Rev],
    [4, 4, 0, () => DocumentReviewCommentList, 0]
];
var DocumentReviews$ = [3, n0, _DRoc,
    0,
    [_Ac, _Co],
    [0, () => DocumentReviewCommentList], 1
];
var DocumentVersionInfo$ = [3, n0, _DVI,
    0,
    [_N, _DNi, _DV, _VN, _CD, _IDVs, _DF, _St, _SI, _RS],
    [0, 0, 0, 0, 4, 2, 0, 0, 0, 0]
];
var EffectivePatch$ = [3, n0, _EPf,
    0,
    [_Pat, _PSa],
    [() => Patch$, () => PatchStatus$]
];
var FailedCreateAssociation$ = [3, n0, _FCA,
    0,
    [_Ent, _M, _Fa],
    [[() => CreateAssociationBatchRequestEntry$, 0], 0, 0]
];
var FailureDetails$ = [3, n0, _FD,
    0,
    [_FS, _FT, _De],
    [0, 0, [2, n0, _APM, 0, 0, 64 | 0]]
];
var GcpConfiguration$ = [3, n0, _GC,
    0,
    [_WIPP, _SAE, _OIr, _Ta],
    [0, 0, 0, () => GcpConfigurationTargets$], 2
];
var GcpProject$ = [3, n0, _GP,
    0,
    [_PIr, _PDN],
    [0, 0], 1
];
var GetAccessTokenRequest$ = [3, n0, _GATR,
    0,
    [_ARI],
    [0], 1
];
var GetAccessTokenResponse$ = [3, n0, _GATRe,
    0,
    [_Cr, _ARS],
    [[() => Credentials$, 0], 0]
];
var GetAutomationExecutionRequest$ = [3, n0, _GAER,
    0,
    [_AEI],
    [0], 1
];
var GetAutomationExecutionResult$ = [3, n0, _GAERe,
    0,
    [_AEu],
    [() => AutomationExecution$]
];
var GetCalendarStateRequest$ = [3, n0, _GCSR,
    0,
    [_CN, _ATt],
    [64 | 0, 0], 1
];
var GetCalendarStateResponse$ = [3, n0, _GCSRe,
    0,
    [_S, _ATt, _NTT],
    [0, 0, 0]
];
var GetCloudConnectorRequest$ = [3, n0, _GCCR,
    0,
    [_CCI],
    [0], 1
];
var GetCloudConnectorResult$ = [3, n0, _GCCRe,
    0,
    [_CCAl, _DNi, _D, _RA, _Con, _CCA, _CAr, _UA],
    [0, 0, 0, 0, () => CloudConnectorConfiguration$, 0, 4, 4]
];
var GetCommandInvocationRequest$ = [3, n0, _GCIR,
    0,
    [_CI, _II, _PNl],
    [0, 0, 0], 2
];
var GetCommandInvocationResult$ = [3, n0, _GCIRe,
    0,
    [_CI, _II, _Co, _DN, _DV, _PNl, _RCes, _ESDT, _EETx, _EEDT, _St, _SD, _SOC, _SOU, _SEC, _SEU, _CWOC],
    [0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, () => CloudWatchOutputConfig$]
];
var GetConnectionStatusRequest$ = [3, n0, _GCSRet,
    0,
    [_Tar],
    [0], 1
];
var GetConnectionStatusResponse$ = [3, n0, _GCSReto,
    0,
    [_Tar, _St],
    [0, 0]
];
var GetDefaultPatchBaselineRequest$ = [3, n0, _GDPBR,
    0,
    [_OSp],
    [0]
];
var GetDefaultPatchBaselineResult$ = [3, n0, _GDPBRe,
    0,
    [_BI, _OSp],
    [0, 0]
];
var GetDeployablePatchSnapshotForInstanceRequest$ = [3, n0, _GDPSFIR,
    0,
    [_II, _SIn, _BO, _USDSE],
    [0, 0, [() => BaselineOverride$, 0], 2], 2
];
var GetDeployablePatchSnapshotForInstanceResult$ = [3, n0, _GDPSFIRe,
    0,
    [_II, _SIn, _SDU, _Prod],
    [0, 0, 0, 0]
];
var GetDocumentRequest$ = [3, n0, _GDR,
    0,
    [_N, _VN, _DV, _DF],
    [0, 0, 0, 0], 1
];
var GetDocumentResult$ = [3, n0, _GDRe,
    0,
    [_N, _CD, _DNi, _VN, _DV, _St, _SI, _Cont, _DT, _DF, _Req, _ACtt, _RS],
    [0, 4, 0, 0, 0, 0, 0, 0, 0, 0, () => DocumentRequiresList, [() => AttachmentContentList, 0], 0]
];
var GetExecutionPreviewRequest$ = [3, n0, _GEPR,
    0,
    [_EPI],
    [0], 1
];
var GetExecutionPreviewResponse$ = [3, n0, _GEPRe,
    0,
    [_EPI, _EAn, _St, _SM, _EPx],
    [0, 4, 0, 0, () => ExecutionPreview$]
];
var GetInventoryRequest$ = [3, n0, _GIR,
    0,
    [_Fi, _Ag, _RAes, _NT, _MR],
    [[() => InventoryFilterList, 0], [() => InventoryAggregatorList, 0], [() => ResultAttributeList, 0], 0, 1]
];
var GetInventoryResult$ = [3, n0, _GIRe,
    0,
    [_Enti, _NT],
    [[() => InventoryResultEntityList, 0], 0]
];
var GetInventorySchemaRequest$ = [3, n0, _GISR,
    0,
    [_TN, _NT, _MR, _Agg, _STu],
    [0, 0, 1, 2, 2]
];
var GetInventorySchemaResult$ = [3, n0, _GISRe,
    0,
    [_Sch, _NT],
    [[() => InventoryItemSchemaResultList, 0], 0]
];
var GetMaintenanceWindowExecutionRequest$ = [3, n0, _GMWER,
    0,
    [_WEI],
    [0], 1
];
var GetMaintenanceWindowExecutionResult$ = [3, n0, _GMWERe,
    0,
    [_WEI, _TIas, _St, _SD, _STt, _ETn],
    [0, 64 | 0, 0, 0, 4, 4]
];
var GetMaintenanceWindowExecutionTaskInvocationRequest$ = [3, n0, _GMWETIR,
    0,
    [_WEI, _TIa, _IInv],
    [0, 0, 0], 3
];
var GetMaintenanceWindowExecutionTaskInvocationResult$ = [3, n0, _GMWETIRe,
    0,
    [_WEI, _TEI, _IInv, _EI, _TTa, _P, _St, _SD, _STt, _ETn, _OI, _WTI],
    [0, 0, 0, 0, 0, [() => MaintenanceWindowExecutionTaskInvocationParameters, 0], 0, 0, 4, 4, [() => OwnerInformation, 0], 0]
];
var GetMaintenanceWindowExecutionTaskRequest$ = [3, n0, _GMWETR,
    0,
    [_WEI, _TIa],
    [0, 0], 2
];
var GetMaintenanceWindowExecutionTaskResult$ = [3, n0, _GMWETRe,
    0,
    [_WEI, _TEI, _TAa, _SR, _Ty, _TPa, _Pri, _MC, _ME, _St, _SD, _STt, _ETn, _AC, _TA],
    [0, 0, 0, 0, 0, [() => MaintenanceWindowTaskParametersList, 0], 1, 0, 0, 0, 0, 4, 4, () => AlarmConfiguration$, () => AlarmStateInformationList]
];
var GetMaintenanceWindowRequest$ = [3, n0, _GMWR,
    0,
    [_WI],
    [0], 1
];
var GetMaintenanceWindowResult$ = [3, n0, _GMWRe,
    0,
    [_WI, _N, _D, _SDt, _EDn, _Sc, _STch, _SO, _NET, _Du, _Cu, _AUT, _Ena, _CD, _MD],
    [0, 0, [() => MaintenanceWindowDescription, 0], 0, 0, 0, 0, 1, 0, 1, 1, 2, 2, 4, 4]
];
var GetMaintenanceWindowTaskRequest$ = [3, n0, _GMWTR,
    0,
    [_WI, _WTIi],
    [0, 0], 2
];
var GetMaintenanceWindowTaskResult$ = [3, n0, _GMWTRe,
    0,
    [_WI, _WTIi, _Ta, _TAa, _SRA, _TTa, _TPa, _TIP, _Pri, _MC, _ME, _LI, _N, _D, _CB, _AC],
    [0, 0, () => Targets, 0, 0, 0, [() => MaintenanceWindowTaskParameters, 0], [() => MaintenanceWindowTaskInvocationParameters$, 0], 1, 0, 0, () => LoggingInfo$, 0, [() => MaintenanceWindowDescription, 0], 0, () => AlarmConfiguration$]
];
var GetOpsItemRequest$ = [3, n0, _GOIR,
    0,
    [_OII, _OIA],
    [0, 0], 1
];
var GetOpsItemResponse$ = [3, n0, _GOIRe,
    0,
    [_OIp],
    [() => OpsItem$]
];
var GetOpsMetadataRequest$ = [3, n0, _GOMR,
    0,
    [_OMA, _MR, _NT],
    [0, 1, 0], 1
];
var GetOpsMetadataResult$ = [3, n0, _GOMRe,
    0,
    [_RI, _Me, _NT],
    [0, () => MetadataMap, 0]
];
var GetOpsSummaryRequest$ = [3, n0, _GOSR,
    0,
    [_SN, _Fi, _Ag, _RAes, _NT, _MR],
    [0, [() => OpsFilterList, 0], [() => OpsAggregatorList, 0], [() => OpsResultAttributeList, 0], 0, 1]
];
var GetOpsSummaryResult$ = [3, n0, _GOSRe,
    0,
    [_Enti, _NT],
    [[() => OpsEntityList, 0], 0]
];
var GetParameterHistoryRequest$ = [3, n0, _GPHR,
    0,
    [_N, _WD, _MR, _NT],
    [0, 2, 1, 0], 1
];
var GetParameterHistoryResult$ = [3, n0, _GPHRe,
    0,
    [_P, _NT],
    [[() => ParameterHistoryList, 0], 0]
];
var GetParameterRequest$ = [3, n0, _GPR,
    0,
    [_N, _WD],
    [0, 2], 1
];
var GetParameterResult$ = [3, n0, _GPRe,
    0,
    [_Par],
    [[() => Parameter$, 0]]
];
var GetParametersByPathRequest$ = [3, n0, _GPBPR,
    0,
    [_Path, _Rec, _PF, _WD, _MR, _NT],
    [0, 2, () => ParameterStringFilterList, 2, 1, 0], 1
];
var GetParametersByPathResult$ = [3, n0, _GPBPRe,
    0,
    [_P, _NT],
    [[() => ParameterList, 0], 0]
];
var GetParametersRequest$ = [3, n0, _GPRet,
    0,
    [_Na, _WD],
    [64 | 0, 2], 1
];
var GetParametersResult$ = [3, n0, _GPReta,
    0,
    [_P, _IP],
    [[() => ParameterList, 0], 64 | 0]
];
var GetPatchBaselineForPatchGroupRequest$ = [3, n0, _GPBFPGR,
    0,
    [_PG, _OSp],
    [0, 0], 1
];
var GetPatchBaselineForPatchGroupResult$ = [3, n0, _GPBFPGRe,
    0,
    [_BI, _PG, _OSp],
    [0, 0, 0]
];
var GetPatchBaselineRequest$ = [3, n0, _GPBR,
    0,
    [_BI],
    [0], 1
];
var GetPatchBaselineResult$ = [3, n0, _GPBRe,
    0,
    [_BI, _N, _OSp, _GF, _AR, _AP, _APCL, _APENS, _RP, _RPA, _PGa, _CD, _MD, _D, _So, _ASUCS],
    [0, 0, 0, () => PatchFilterGroup$, () => PatchRuleGroup$, 64 | 0, 0, 2, 64 | 0, 0, 64 | 0, 4, 4, 0, [() => PatchSourceList, 0], 0]
];
var GetResourcePoliciesRequest$ = [3, n0, _GRPR,
    0,
    [_RAe, _NT, _MR],
    [0, 0, 1], 1
];
var GetResourcePoliciesResponse$ = [3, n0, _GRPRe,
    0,
    [_NT, _Po],
    [0, () => GetResourcePoliciesResponseEntries]
];
var GetResourcePoliciesResponseEntry$ = [3, n0, _GRPRE,
    0,
    [_PI, _PH, _Pol],
    [0, 0, 0]
];
var GetServiceSettingRequest$ = [3, n0, _GSSR,
    0,
    [_SIe],
    [0], 1
];
var GetServiceSettingResult$ = [3, n0, _GSSRe,
    0,
    [_SSe],
    [() => ServiceSetting$]
];
var InstanceAggregatedAssociationOverview$ = [3, n0, _IAAO,
    0,
    [_DS, _IASAC],
    [0, 128 | 1]
];
var InstanceAssociation$ = [3, n0, _IAns,
    0,
    [_AIs, _II, _Cont, _AV],
    [0, 0, 0, 0]
];
var InstanceAssociationOutputLocation$ = [3, n0, _IAOL,
    0,
    [_SL],
    [() => S3OutputLocation$]
];
var InstanceAssociationOutputUrl$ = [3, n0, _IAOU,
    0,
    [_SOUu],
    [() => S3OutputUrl$]
];
var InstanceAssociationStatusInfo$ = [3, n0, _IASIn,
    0,
    [_AIs, _N, _DV, _AV, _II, _EDx, _St, _DS, _ES, _ECr, _OU, _AN],
    [0, 0, 0, 0, 0, 4, 0, 0, 0, 0, () => InstanceAssociationOutputUrl$, 0]
];
var InstanceInfo$ = [3, n0, _IIns,
    0,
    [_ATg, _AVg, _CNo, _ISn, _IAp, _MS, _N, _PTla, _PNla, _PV, _RTe, _STo, _SIo, _SLo, _AZ, _AZI],
    [0, 0, 0, 0, [() => IPAddress, 0], 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
];
var InstanceInformation$ = [3, n0, _IInst,
    0,
    [_II, _PSi, _LPDT, _AVg, _ILV, _PTla, _PNla, _PV, _AIct, _IRa, _RD, _RTe, _N, _IPA, _CNo, _AS, _LAED, _LSAED, _AO, _SIo, _STo, _SLo],
    [0, 0, 4, 0, 2, 0, 0, 0, 0, 0, 4, 0, 0, [() => IPAddress, 0], 0, 0, 4, 4, () => InstanceAggregatedAssociationOverview$, 0, 0, 0]
];
var InstanceInformationFilter$ = [3, n0, _IIF,
    0,
    [_k, _vS],
    [0, [() => InstanceInformationFilterValueSet, 0]], 2
];
var InstanceInformationStringFilter$ = [3, n0, _IISF,
    0,
    [_K, _Va],
    [0, [() => InstanceInformationFilterValueSet, 0]], 2
];
var InstancePatchState$ = [3, n0, _IPSn,
    0,
    [_II, _PG, _BI, _OST, _OET, _Op, _SIn, _IOLn, _OI, _IC, _IOC, _IPRC, _IRC, _MCi, _FC, _UNAC, _NAC, _ASUC, _LNRIOT, _ROe, _CNCC, _SNCC, _ONCC],
    [0, 0, 0, 4, 4, 0, 0, 0, [() => OwnerInformation, 0], 1, 1, 1, 1, 1, 1, 1, 1, 1, 4, 0, 1, 1, 1], 6
];
var InstancePatchStateFilter$ = [3, n0, _IPSF,
    0,
    [_K, _Va, _Ty],
    [0, 64 | 0, 0], 3
];
var InstanceProperty$ = [3, n0, _IPns,
    0,
    [_N, _II, _ITns, _IRn, _KN, _ISns, _Ar, _IPA, _LTa, _PSi, _LPDT, _AVg, _PTla, _PNla, _PV, _AIct, _IRa, _RD, _RTe, _CNo, _AS, _LAED, _LSAED, _AO, _SIo, _STo, _SLo, _AZ],
    [0, 0, 0, 0, 0, 0, 0, [() => IPAddress, 0], 4, 0, 4, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 4, 4, () => InstanceAggregatedAssociationOverview$, 0, 0, 0, 0]
];
var InstancePropertyFilter$ = [3, n0, _IPF,
    0,
    [_k, _vS],
    [0, [() => InstancePropertyFilterValueSet, 0]], 2
];
var InstancePropertyStringFilter$ = [3, n0, _IPSFn,
    0,
    [_K, _Va, _Ope],
    [0, [() => InstancePropertyFilterValueSet, 0], 0], 2
];
var InventoryAggregator$ = [3, n0, _IAnv,
    0,
    [_Ex, _Ag, _G],
    [0, [() => InventoryAggregatorList, 0], [() => InventoryGroupList, 0]]
];
var InventoryDeletionStatusItem$ = [3, n0, _IDSI,
    0,
    [_DI, _TN, _DST, _LS, _LSM, _DSe, _LSUT],
    [0, 0, 4, 0, 0, () => InventoryDeletionSummary$, 4]
];
var InventoryDeletionSummary$ = [3, n0, _IDS,
    0,
    [_TCo, _RCem, _SIu],
    [1, 1, () => InventoryDeletionSummaryItems]
];
var InventoryDeletionSummaryItem$ = [3, n0, _IDSIn,
    0,
    [_Ve, _Cou, _RCem],
    [0, 1, 1]
];
var InventoryFilter$ = [3, n0, _IFn,
    0,
    [_K, _Va, _Ty],
    [0, [() => InventoryFilterValueList, 0], 0], 2
];
var InventoryGroup$ = [3, n0, _IG,
    0,
    [_N, _Fi],
    [0, [() => InventoryFilterList, 0]], 2
];
var InventoryItem$ = [3, n0, _IInve,
    0,
    [_TN, _SV, _CTa, _CH, _Cont, _Conte],
    [0, 0, 0, 0, [1, n0, _IIEL, 0, 128 | 0], 128 | 0], 3
];
var InventoryItemAttribute$ = [3, n0, _IIA,
    0,
    [_N, _DTa],
    [0, 0], 2
];
var InventoryItemSchema$ = [3, n0, _IIS,
    0,
    [_TN, _Att, _Ve, _DNi],
    [0, [() => InventoryItemAttributeList, 0], 0, 0], 2
];
var InventoryResultEntity$ = [3, n0, _IRE,
    0,
    [_I, _Dat],
    [0, () => InventoryResultItemMap]
];
var InventoryResultItem$ = [3, n0, _IRIn,
    0,
    [_TN, _SV, _Cont, _CTa, _CH],
    [0, 0, [1, n0, _IIEL, 0, 128 | 0], 0, 0], 3
];
var LabelParameterVersionRequest$ = [3, n0, _LPVR,
    0,
    [_N, _La, _PVa],
    [0, 64 | 0, 1], 2
];
var LabelParameterVersionResult$ = [3, n0, _LPVRa,
    0,
    [_IL, _PVa],
    [64 | 0, 1]
];
var ListAssociationsRequest$ = [3, n0, _LAR,
    0,
    [_AFL, _MR, _NT],
    [[() => AssociationFilterList, 0], 1, 0]
];
var ListAssociationsResult$ = [3, n0, _LARi,
    0,
    [_Ass, _NT],
    [[() => AssociationList, 0], 0]
];
var ListAssociationVersionsRequest$ = [3, n0, _LAVR,
    0,
    [_AIs, _MR, _NT],
    [0, 1, 0], 1
];
var ListAssociationVersionsResult$ = [3, n0, _LAVRi,
    0,
    [_AVs, _NT],
    [[() => AssociationVersionList, 0], 0]
];
var ListCloudConnectorsRequest$ = [3, n0, _LCCR,
    0,
    [_MR, _NT, _Fi],
    [1, 0, () => CloudConnectorFilterList]
];
var ListCloudConnectorsResult$ = [3, n0, _LCCRi,
    0,
    [_CCl, _NT],
    [() => CloudConnectorSummaryList, 0]
];
var ListCommandInvocationsRequest$ = [3, n0, _LCIR,
    0,
    [_CI, _II, _MR, _NT, _Fi, _De],
    [0, 0, 1, 0, () => CommandFilterList, 2]
];
var ListCommandInvocationsResult$ = [3, n0, _LCIRi,
    0,
    [_CIomm, _NT],
    [() => CommandInvocationList, 0]
];
var ListCommandsRequest$ = [3, n0, _LCR,
    0,
    [_CI, _II, _MR, _NT, _Fi],
    [0, 0, 1, 0, () => CommandFilterList]
];
var ListCommandsResult$ = [3, n0, _LCRi,
    0,
    [_Com, _NT],
    [[() => CommandList, 0], 0]
];
var ListComplianceItemsRequest$ = [3, n0, _LCIRis,
    0,
    [_Fi, _RIes, _RT, _NT, _MR],
    [[() => ComplianceStringFilterList, 0], 64 | 0, 64 | 0, 0, 1]
];
var ListComplianceItemsResult$ = [3, n0, _LCIRist,
    0,
    [_CIomp, _NT],
    [[() => ComplianceItemList, 0], 0]
];
var ListComplianceSummariesRequest$ = [3, n0, _LCSR,
    0,
    [_Fi, _NT, _MR],
    [[() => ComplianceStringFilterList, 0], 0, 1]
];
var ListComplianceSummariesResult$ = [3, n0, _LCSRi,
    0,
    [_CSIo, _NT],
    [[() => ComplianceSummaryItemList, 0], 0]
];
var ListDocumentMetadataHistoryRequest$ = [3, n0, _LDMHR,
    0,
    [_N, _Me, _DV, _NT, _MR],
    [0, 0, 0, 0, 1], 2
];
var ListDocumentMetadataHistoryResponse$ = [3, n0, _LDMHRi,
    0,
    [_N, _DV, _Au, _Me, _NT],
    [0, 0, 0, () => DocumentMetadataResponseInfo$, 0]
];
var ListDocumentsRequest$ = [3, n0, _LDR,
    0,
    [_DFL, _Fi, _MR, _NT],
    [[() => DocumentFilterList, 0], () => DocumentKeyValuesFilterList, 1, 0]
];
var ListDocumentsResult$ = [3, n0, _LDRi,
    0,
    [_DIoc, _NT],
    [[() => DocumentIdentifierList, 0], 0]
];
var ListDocumentVersionsRequest$ = [3, n0, _LDVR,
    0,
    [_N, _MR, _NT],
    [0, 1, 0], 1
];
var ListDocumentVersionsResult$ = [3, n0, _LDVRi,
    0,
    [_DVo, _NT],
    [() => DocumentVersionList, 0]
];
var ListInventoryEntriesRequest$ = [3, n0, _LIER,
    0,
    [_II, _TN, _Fi, _NT, _MR],
    [0, 0, [() => InventoryFilterList, 0], 0, 1], 2
];
var ListInventoryEntriesResult$ = [3, n0, _LIERi,
    0,
    [_TN, _II, _SV, _CTa, _En, _NT],
    [0, 0, 0, 0, [1, n0, _IIEL, 0, 128 | 0], 0]
];
var ListNodesRequest$ = [3, n0, _LNR,
    0,
    [_SN, _Fi, _NT, _MR],
    [0, [() => NodeFilterList, 0], 0, 1]
];
var ListNodesResult$ = [3, n0, _LNRi,
    0,
    [_Nod, _NT],
    [[() => NodeList, 0], 0]
];
var ListNodesSummaryRequest$ = [3, n0, _LNSR,
    0,
    [_Ag, _SN, _Fi, _NT, _MR],
    [[() => NodeAggregatorList, 0], 0, [() => NodeFilterList, 0], 0, 1], 1
];
var ListNodesSummaryResult$ = [3, n0, _LNSRi,
    0,
    [_Sum, _NT],
    [[1, n0, _NSL, 0, 128 | 0], 0]
];
var ListOpsItemEventsRequest$ = [3, n0, _LOIER,
    0,
    [_Fi, _MR, _NT],
    [() => OpsItemEventFilters, 1, 0]
];
var ListOpsItemEventsResponse$ = [3, n0, _LOIERi,
    0,
    [_NT, _Summ],
    [0, () => OpsItemEventSummaries]
];
var ListOpsItemRelatedItemsRequest$ = [3, n0, _LOIRIR,
    0,
    [_OII, _Fi, _MR, _NT],
    [0, () => OpsItemRelatedItemsFilters, 1, 0]
];
var ListOpsItemRelatedItemsResponse$ = [3, n0, _LOIRIRi,
    0,
    [_NT, _Summ],
    [0, () => OpsItemRelatedItemSummaries]
];
var ListOpsMetadataRequest$ = [3, n0, _LOMR,
    0,
    [_Fi, _MR, _NT],
    [() => OpsMetadataFilterList, 1, 0]
];
var ListOpsMetadataResult$ = [3, n0, _LOMRi,
    0,
    [_OML, _NT],
    [() => OpsMetadataList, 0]
];
var ListResourceComplianceSummariesRequest$ = [3, n0, _LRCSR,
    0,
    [_Fi, _NT, _MR],
    [[() => ComplianceStringFilterList, 0], 0, 1]
];
var ListResourceComplianceSummariesResult$ = [3, n0, _LRCSRi,
    0,
    [_RCSI, _NT],
    [[() => ResourceComplianceSummaryItemList, 0], 0]
];
var ListResourceDataSyncRequest$ = [3, n0, _LRDSR,
    0,
    [_ST, _NT, _MR],
    [0, 0, 1]
];
var ListResourceDataSyncResult$ = [3, n0, _LRDSRi,
    0,
    [_RDSI, _NT],
    [() => ResourceDataSyncItemList, 0]
];
var ListTagsForResourceRequest$ = [3, n0, _LTFRR,
    0,
    [_RTe, _RI],
    [0, 0], 2
];
var ListTagsForResourceResult$ = [3, n0, _LTFRRi,
    0,
    [_TLa],
    [() => TagList]
];
var LoggingInfo$ = [3, n0, _LI,
    0,
    [_SBN, _SRe, _SKP],
    [0, 0, 0], 2
];
var MaintenanceWindowAutomationParameters$ = [3, n0, _MWAP,
    0,
    [_DV, _P],
    [0, [2, n0, _APM, 0, 0, 64 | 0]]
];
var MaintenanceWindowExecution$ = [3, n0, _MWE,
    0,
    [_WI, _WEI, _St, _SD, _STt, _ETn],
    [0, 0, 0, 0, 4, 4]
];
var MaintenanceWindowExecutionTaskIdentity$ = [3, n0, _MWETI,
    0,
    [_WEI, _TEI, _St, _SD, _STt, _ETn, _TAa, _TTa, _AC, _TA],
    [0, 0, 0, 0, 4, 4, 0, 0, () => AlarmConfiguration$, () => AlarmStateInformationList]
];
var MaintenanceWindowExecutionTaskInvocationIdentity$ = [3, n0, _MWETII,
    0,
    [_WEI, _TEI, _IInv, _EI, _TTa, _P, _St, _SD, _STt, _ETn, _OI, _WTI],
    [0, 0, 0, 0, 0, [() => MaintenanceWindowExecutionTaskInvocationParameters, 0], 0, 0, 4, 4, [() => OwnerInformation, 0], 0]
];
var MaintenanceWindowFilter$ = [3, n0, _MWF,
    0,
    [_K, _Va],
    [0, 64 | 0]
];
var MaintenanceWindowIdentity$ = [3, n0, _MWI,
    0,
    [_WI, _N, _D, _Ena, _Du, _Cu, _Sc, _STch, _SO, _EDn, _SDt, _NET],
    [0, 0, [() => MaintenanceWindowDescription, 0], 2, 1, 1, 0, 0, 1, 0, 0, 0]
];
var MaintenanceWindowIdentityForTarget$ = [3, n0, _MWIFT,
    0,
    [_WI, _N],
    [0, 0]
];
var MaintenanceWindowLambdaParameters$ = [3, n0, _MWLPa,
    0,
    [_CCli, _Q, _Pay],
    [0, 0, [() => MaintenanceWindowLambdaPayload, 0]]
];
var MaintenanceWindowRunCommandParameters$ = [3, n0, _MWRCP,
    0,
    [_Co, _CWOC, _DH, _DHT, _DV, _NC, _OSBN, _OSKP, _P, _SRA, _TSi],
    [0, () => CloudWatchOutputConfig$, 0, 0, 0, () => NotificationConfig$, 0, 0, [() => _Parameters, 0], 0, 1]
];
var MaintenanceWindowStepFunctionsParameters$ = [3, n0, _MWSFP,
    0,
    [_Inp, _N],
    [[() => MaintenanceWindowStepFunctionsInput, 0], 0]
];
var MaintenanceWindowTarget$ = [3, n0, _MWT,
    0,
    [_WI, _WTI, _RTe, _Ta, _OI, _N, _D],
    [0, 0, 0, () => Targets, [() => OwnerInformation, 0], 0, [() => MaintenanceWindowDescription, 0]]
];
var MaintenanceWindowTask$ = [3, n0, _MWTa,
    0,
    [_WI, _WTIi, _TAa, _Ty, _Ta, _TPa, _Pri, _LI, _SRA, _MC, _ME, _N, _D, _CB, _AC],
    [0, 0, 0, 0, () => Targets, [() => MaintenanceWindowTaskParameters, 0], 1, () => LoggingInfo$, 0, 0, 0, 0, [() => MaintenanceWindowDescription, 0], 0, () => AlarmConfiguration$]
];
var MaintenanceWindowTaskInvocationParameters$ = [3, n0, _MWTIP,
    0,
    [_RCu, _Aut, _SF, _Lam],
    [[() => MaintenanceWindowRunCommandParameters$, 0], () => MaintenanceWindowAutomationParameters$, [() => MaintenanceWindowStepFunctionsParameters$, 0], [() => MaintenanceWindowLambdaParameters$, 0]]
];
var MaintenanceWindowTaskParameterValueExpression$ = [3, n0, _MWTPVE,
    8,
    [_Va],
    [[() => MaintenanceWindowTaskParameterValueList, 0]]
];
var MetadataValue$ = [3, n0, _MV,
    0,
    [_V],
    [0]
];
var ModifyDocumentPermissionRequest$ = [3, n0, _MDPR,
    0,
    [_N, _PT, _AITA, _AITR, _SDV],
    [0, 0, [() => AccountIdList, 0], [() => AccountIdList, 0], 0], 2
];
var ModifyDocumentPermissionResponse$ = [3, n0, _MDPRo,
    0,
    [],
    []
];
var Node$ = [3, n0, _Node,
    0,
    [_CTa, _I, _Ow, _Reg, _NTo],
    [4, 0, () => NodeOwnerInfo$, 0, [() => NodeType$, 0]]
];
var NodeAggregator$ = [3, n0, _NA,
    0,
    [_ATgg, _TN, _ANt, _Ag],
    [0, 0, 0, [() => NodeAggregatorList, 0]], 3
];
var NodeFilter$ = [3, n0, _NF,
    0,
    [_K, _Va, _Ty],
    [0, [() => NodeFilterValueList, 0], 0], 2
];
var NodeOwnerInfo$ = [3, n0, _NOI,
    0,
    [_AIc, _OUI, _OUP],
    [0, 0, 0]
];
var NonCompliantSummary$ = [3, n0, _NCS,
    0,
    [_NCC, _SS],
    [1, () => SeveritySummary$]
];
var NotificationConfig$ = [3, n0, _NC,
    0,
    [_NAo, _NE, _NTot],
    [0, 64 | 0, 0]
];
var OpsAggregator$ = [3, n0, _OA,
    0,
    [_ATgg, _TN, _ANt, _Va, _Fi, _Ag],
    [0, 0, 0, 128 | 0, [() => OpsFilterList, 0], [() => OpsAggregatorList, 0]]
];
var OpsEntity$ = [3, n0, _OE,
    0,
    [_I, _Dat],
    [0, () => OpsEntityItemMap]
];
var OpsEntityItem$ = [3, n0, _OEI,
    0,
    [_CTa, _Cont],
    [0, [1, n0, _OEIEL, 0, 128 | 0]]
];
var OpsFilter$ = [3, n0, _OF,
    0,
    [_K, _Va, _Ty],
    [0, [() => OpsFilterValueList, 0], 0], 2
];
var OpsItem$ = [3, n0, _OIp,
    0,
    [_CBr, _OIT, _CT, _D, _LMB, _LMT, _No, _Pri, _ROI, _St, _OII, _Ve, _Ti, _Sou, _OD, _Ca, _Se, _AST, _AETc, _PST, _PET, _OIA],
    [0, 0, 4, 0, 0, 4, () => OpsItemNotifications, 1, () => RelatedOpsItems, 0, 0, 0, 0, 0, () => OpsItemOperationalData, 0, 0, 4, 4, 4, 4, 0]
];
var OpsItemDataValue$ = [3, n0, _OIDV,
    0,
    [_V, _Ty],
    [0, 0]
];
var OpsItemEventFilter$ = [3, n0, _OIEF,
    0,
    [_K, _Va, _Ope],
    [0, 64 | 0, 0], 3
];
var OpsItemEventSummary$ = [3, n0, _OIES,
    0,
    [_OII, _EIv, _Sou, _DTe, _Det, _CBr, _CT],
    [0, 0, 0, 0, 0, () => OpsItemIdentity$, 4]
];
var OpsItemFilter$ = [3, n0, _OIFp,
    0,
    [_K, _Va, _Ope],
    [0, 64 | 0, 0], 3
];
var OpsItemIdentity$ = [3, n0, _OIIp,
    0,
    [_Arn],
    [0]
];
var OpsItemNotification$ = [3, n0, _OIN,
    0,
    [_Arn],
    [0]
];
var OpsItemRelatedItemsFilter$ = [3, n0, _OIRIF,
    0,
    [_K, _Va, _Ope],
    [0, 64 | 0, 0], 3
];
var OpsItemRelatedItemSummary$ = [3, n0, _OIRIS,
    0,
    [_OII, _AIs, _RTe, _AT, _RU, _CBr, _CT, _LMB, _LMT],
    [0, 0, 0, 0, 0, () => OpsItemIdentity$, 4, () => OpsItemIdentity$, 4]
];
var OpsItemSummary$ = [3, n0, _OISp,
    0,
    [_CBr, _CT, _LMB, _LMT, _Pri, _Sou, _St, _OII, _Ti, _OD, _Ca, _Se, _OIT, _AST, _AETc, _PST, _PET],
    [0, 4, 0, 4, 1, 0, 0, 0, 0, () => OpsItemOperationalData, 0, 0, 0, 4, 4, 4, 4]
];
var OpsMetadata$ = [3, n0, _OM,
    0,
    [_RI, _OMA, _LMD, _LMU, _CDr],
    [0, 0, 4, 0, 4]
];
var OpsMetadataFilter$ = [3, n0, _OMF,
    0,
    [_K, _Va],
    [0, 64 | 0], 2
];
var OpsResultAttribute$ = [3, n0, _ORA,
    0,
    [_TN],
    [0], 1
];
var OutputSource$ = [3, n0, _OS,
    0,
    [_OSI, _OSTu],
    [0, 0]
];
var Parameter$ = [3, n0, _Par,
    0,
    [_N, _Ty, _V, _Ve, _Sel, _SRo, _LMD, _ARN, _DTa],
    [0, 0, [() => PSParameterValue, 0], 1, 0, 0, 4, 0, 0]
];
var ParameterHistory$ = [3, n0, _PHa,
    0,
    [_N, _Ty, _KI, _LMD, _LMU, _D, _V, _APl, _Ve, _La, _Tie, _Po, _DTa],
    [0, 0, 0, 4, 0, 0, [() => PSParameterValue, 0], 0, 1, 64 | 0, 0, () => ParameterPolicyList, 0]
];
var ParameterInlinePolicy$ = [3, n0, _PIP,
    0,
    [_PTo, _PTol, _PSo],
    [0, 0, 0]
];
var ParameterMetadata$ = [3, n0, _PM,
    0,
    [_N, _ARN, _Ty, _KI, _LMD, _LMU, _D, _APl, _Ve, _Tie, _Po, _DTa],
    [0, 0, 0, 0, 4, 0, 0, 0, 1, 0, () => ParameterPolicyList, 0]
];
var ParametersFilter$ = [3, n0, _PFa,
    0,
    [_K, _Va],
    [0, 64 | 0], 2
];
var ParameterStringFilter$ = [3, n0, _PSF,
    0,
    [_K, _Opt, _Va],
    [0, 0, 64 | 0], 1
];
var ParentStepDetails$ = [3, n0, _PSD,
    0,
    [_SEI, _SNt, _Ac, _It, _IV],
    [0, 0, 0, 1, 0]
];
var Patch$ = [3, n0, _Pat,
    0,
    [_I, _RDe, _Ti, _D, _CU, _Ven, _PFr, _Prod, _Cl, _MSs, _KNb, _MN, _Lan, _AIdv, _BIu, _CVEI, _N, _Ep, _Ve, _Rel, _Arc, _Se, _Rep],
    [0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 64 | 0, 64 | 0, 64 | 0, 0, 1, 0, 0, 0, 0, 0]
];
var PatchBaselineIdentity$ = [3, n0, _PBI,
    0,
    [_BI, _BN, _OSp, _BD, _DB],
    [0, 0, 0, 0, 2]
];
var PatchComplianceData$ = [3, n0, _PCD,
    0,
    [_Ti, _KBI, _Cl, _Se, _S, _ITnst, _CVEI],
    [0, 0, 0, 0, 0, 4, 0], 6
];
var PatchFilter$ = [3, n0, _PFat,
    0,
    [_K, _Va],
    [0, 64 | 0], 2
];
var PatchFilterGroup$ = [3, n0, _PFG,
    0,
    [_PFatc],
    [() => PatchFilterList], 1
];
var PatchGroupPatchBaselineMapping$ = [3, n0, _PGPBM,
    0,
    [_PG, _BIas],
    [0, () => PatchBaselineIdentity$]
];
var PatchOrchestratorFilter$ = [3, n0, _POF,
    0,
    [_K, _Va],
    [0, 64 | 0]
];
var PatchRule$ = [3, n0, _PR,
    0,
    [_PFG, _CL, _AAD, _AUD, _ENS],
    [() => PatchFilterGroup$, 0, 1, 0, 2], 1
];
var PatchRuleGroup$ = [3, n0, _PRG,
    0,
    [_PRa],
    [() => PatchRuleList], 1
];
var PatchSource$ = [3, n0, _PSat,
    0,
    [_N, _Produ, _Con],
    [0, 64 | 0, [() => PatchSourceConfiguration, 0]], 3
];
var PatchStatus$ = [3, n0, _PSa,
    0,
    [_DSep, _CL, _ADp],
    [0, 0, 4]
];
var ProgressCounters$ = [3, n0, _PC,
    0,
    [_TSo, _SSu, _FSa, _CSa, _TOS],
    [1, 1, 1, 1, 1]
];
var PutComplianceItemsRequest$ = [3, n0, _PCIR,
    0,
    [_RI, _RTe, _CTo, _ES, _Ite, _ICH, _UTp],
    [0, 0, 0, () => ComplianceExecutionSummary$, () => ComplianceItemEntryList, 0, 0], 5
];
var PutComplianceItemsResult$ = [3, n0, _PCIRu,
    0,
    [],
    []
];
var PutInventoryRequest$ = [3, n0, _PIR,
    0,
    [_II, _Ite],
    [0, [() => InventoryItemList, 0]], 2
];
var PutInventoryResult$ = [3, n0, _PIRu,
    0,
    [_M],
    [0]
];
var PutParameterRequest$ = [3, n0, _PPR,
    0,
    [_N, _V, _D, _Ty, _KI, _Ov, _APl, _T, _Tie, _Po, _DTa],
    [0, [() => PSParameterValue, 0], 0, 0, 0, 2, 0, () => TagList, 0, 0, 0], 2
];
var PutParameterResult$ = [3, n0, _PPRu,
    0,
    [_Ve, _Tie],
    [1, 0]
];
var PutResourcePolicyRequest$ = [3, n0, _PRPR,
    0,
    [_RAe, _Pol, _PI, _PH],
    [0, 0, 0, 0], 2
];
var PutResourcePolicyResponse$ = [3, n0, _PRPRu,
    0,
    [_PI, _PH],
    [0, 0]
];
var RegisterDefaultHostManagementConfigurationRequest$ = [3, n0, _RDHMCR,
    0,
    [_PMe, _RA, _Ov],
    [0, 0, 2], 1
];
var RegisterDefaultHostManagementConfigurationResult$ = [3, n0, _RDHMCRe,
    0,
    [_RA],
    [0]
];
var RegisterDefaultPatchBaselineRequest$ = [3, n0, _RDPBR,
    0,
    [_BI],
    [0], 1
];
var RegisterDefaultPatchBaselineResult$ = [3, n0, _RDPBRe,
    0,
    [_BI],
    [0]
];
var RegisterPatchBaselineForPatchGroupRequest$ = [3, n0, _RPBFPGR,
    0,
    [_BI, _PG],
    [0, 0], 2
];
var RegisterPatchBaselineForPatchGroupResult$ = [3, n0, _RPBFPGRe,
    0,
    [_BI, _PG],
    [0, 0]
];
var RegisterTargetWithMaintenanceWindowRequest$ = [3, n0, _RTWMWR,
    0,
    [_WI, _RTe, _Ta, _OI, _N, _D, _CTl],
    [0, 0, () => Targets, [() => OwnerInformation, 0], 0, [() => MaintenanceWindowDescription, 0], [0, 4]], 3
];
var RegisterTargetWithMaintenanceWindowResult$ = [3, n0, _RTWMWRe,
    0,
    [_WTI],
    [0]
];
var RegisterTaskWithMaintenanceWindowRequest$ = [3, n0, _RTWMWReg,
    0,
    [_WI, _TAa, _TTa, _Ta, _SRA, _TPa, _TIP, _Pri, _MC, _ME, _LI, _N, _D, _CTl, _CB, _AC],
    [0, 0, 0, () => Targets, 0, [() => MaintenanceWindowTaskParameters, 0], [() => MaintenanceWindowTaskInvocationParameters$, 0], 1, 0, 0, () => LoggingInfo$, 0, [() => MaintenanceWindowDescription, 0], [0, 4], 0, () => AlarmConfiguration$], 3
];
var RegisterTaskWithMaintenanceWindowResult$ = [3, n0, _RTWMWRegi,
    0,
    [_WTIi],
    [0]
];
var RegistrationMetadataItem$ = [3, n0, _RMI,
    0,
    [_K, _V],
    [0, 0], 2
];
var RelatedOpsItem$ = [3, n0, _ROIe,
    0,
    [_OII],
    [0], 1
];
var RemoveTagsFromResourceRequest$ = [3, n0, _RTFRR,
    0,
    [_RTe, _RI, _TK],
    [0, 0, 64 | 0], 3
];
var RemoveTagsFromResourceResult$ = [3, n0, _RTFRRe,
    0,
    [],
    []
];
var ResetServiceSettingRequest$ = [3, n0, _RSSR,
    0,
    [_SIe],
    [0], 1
];
var ResetServiceSettingResult$ = [3, n0, _RSSRe,
    0,
    [_SSe],
    [() => ServiceSetting$]
];
var ResolvedTargets$ = [3, n0, _RTes,
    0,
    [_PVar, _Tr],
    [64 | 0, 2]
];
var ResourceComplianceSummaryItem$ = [3, n0, _RCSIe,
    0,
    [_CTo, _RTe, _RI, _St, _OSv, _ES, _CSo, _NCS],
    [0, 0, 0, 0, 0, () => ComplianceExecutionSummary$, () => CompliantSummary$, () => NonCompliantSummary$]
];
var ResourceDataSyncAwsOrganizationsSource$ = [3, n0, _RDSAOS,
    0,
    [_OSTr, _OUr],
    [0, () => ResourceDataSyncOrganizationalUnitList], 1
];
var ResourceDataSyncDestinationDataSharing$ = [3, n0, _RDSDDS,
    0,
    [_DDST],
    [0]
];
var ResourceDataSyncItem$ = [3, n0, _RDSIe,
    0,
    [_SN, _ST, _SSy, _SDe, _LST, _LSST, _SLMT, _LS, _SCT, _LSSM],
    [0, 0, () => ResourceDataSyncSourceWithState$, () => ResourceDataSyncS3Destination$, 4, 4, 4, 0, 4, 0]
];
var ResourceDataSyncOrganizationalUnit$ = [3, n0, _RDSOU,
    0,
    [_OUI],
    [0]
];
var ResourceDataSyncS3Destination$ = [3, n0, _RDSSD,
    0,
    [_BNu, _SFy, _Reg, _Pre, _AWSKMSKARN, _DDS],
    [0, 0, 0, 0, 0, () => ResourceDataSyncDestinationDataSharing$], 3
];
var ResourceDataSyncSource$ = [3, n0, _RDSS,
    0,
    [_STo, _SRou, _AOS, _IFR, _EAODS],
    [0, 64 | 0, () => ResourceDataSyncAwsOrganizationsSource$, 2, 2], 2
];
var ResourceDataSyncSourceWithState$ = [3, n0, _RDSSWS,
    0,
    [_STo, _AOS, _SRou, _IFR, _S, _EAODS],
    [0, () => ResourceDataSyncAwsOrganizationsSource$, 64 | 0, 2, 0, 2]
];
var ResultAttribute$ = [3, n0, _RAesu,
    0,
    [_TN],
    [0], 1
];
var ResumeSessionRequest$ = [3, n0, _RSR,
    0,
    [_SIes],
    [0], 1
];
var ResumeSessionResponse$ = [3, n0, _RSRe,
    0,
    [_SIes, _TV, _SUt],
    [0, 0, 0]
];
var ReviewInformation$ = [3, n0, _RIe,
    0,
    [_RTev, _St, _Rev],
    [4, 0, 0]
];
var Runbook$ = [3, n0, _Ru,
    0,
    [_DN, _DV, _P, _TPN, _Ta, _TM, _MC, _ME, _TL],
    [0, 0, [2, n0, _APM, 0, 0, 64 | 0], 0, () => Targets, [1, n0, _TM, 0, [2, n0, _TMa, 0, 0, 64 | 0]], 0, 0, () => TargetLocations], 1
];
var S3OutputLocation$ = [3, n0, _SOL,
    0,
    [_OSR, _OSBN, _OSKP],
    [0, 0, 0]
];
var S3OutputUrl$ = [3, n0, _SOUu,
    0,
    [_OU],
    [0]
];
var ScheduledWindowExecution$ = [3, n0, _SWEc,
    0,
    [_WI, _N, _ET],
    [0, 0, 0]
];
var SendAutomationSignalRequest$ = [3, n0, _SASR,
    0,
    [_AEI, _STi, _Pay],
    [0, 0, [2, n0, _APM, 0, 0, 64 | 0]], 2
];
var SendAutomationSignalResult$ = [3, n0, _SASRe,
    0,
    [],
    []
];
var SendCommandRequest$ = [3, n0, _SCR,
    0,
    [_DN, _IIn, _Ta, _DV, _DH, _DHT, _TSi, _Co, _P, _OSR, _OSBN, _OSKP, _MC, _ME, _SRA, _NC, _CWOC, _AC],
    [0, 64 | 0, () => Targets, 0, 0, 0, 1, 0, [() => _Parameters, 0], 0, 0, 0, 0, 0, 0, () => NotificationConfig$, () => CloudWatchOutputConfig$, () => AlarmConfiguration$], 1
];
var SendCommandResult$ = [3, n0, _SCRe,
    0,
    [_C],
    [[() => Command$, 0]]
];
var ServiceSetting$ = [3, n0, _SSe,
    0,
    [_SIe, _SVe, _LMD, _LMU, _ARN, _St],
    [0, 0, 4, 0, 0, 0]
];
var Session$ = [3, n0, _Sess,
    0,
    [_SIes, _Tar, _St, _SDt, _EDn, _DN, _Ow, _Rea, _De, _OU, _MSD, _ATc],
    [0, 0, 0, 4, 4, 0, 0, 0, 0, () => SessionManagerOutputUrl$, 0, 0]
];
var SessionFilter$ = [3, n0, _SFe,
    0,
    [_k, _v],
    [0, 0], 2
];
var SessionManagerOutputUrl$ = [3, n0, _SMOU,
    0,
    [_SOUu, _CWOU],
    [0, 0]
];
var SeveritySummary$ = [3, n0, _SS,
    0,
    [_CCr, _HC, _MCe, _LC, _ICn, _UC],
    [1, 1, 1, 1, 1, 1]
];
var StartAccessRequestRequest$ = [3, n0, _SARR,
    0,
    [_Rea, _Ta, _T],
    [0, () => Targets, () => TagList], 2
];
var StartAccessRequestResponse$ = [3, n0, _SARRt,
    0,
    [_ARI],
    [0]
];
var StartAssociationsOnceRequest$ = [3, n0, _SAOR,
    0,
    [_AIss],
    [64 | 0], 1
];
var StartAssociationsOnceResult$ = [3, n0, _SAORt,
    0,
    [],
    []
];
var StartAutomationExecutionRequest$ = [3, n0, _SAER,
    0,
    [_DN, _DV, _P, _CTl, _Mo, _TPN, _Ta, _TM, _MC, _ME, _TL, _T, _AC, _TLURL],
    [0, 0, [2, n0, _APM, 0, 0, 64 | 0], 0, 0, 0, () => AutomationTargets, [1, n0, _TM, 0, [2, n0, _TMa, 0, 0, 64 | 0]], 0, 0, () => TargetLocations, () => TagList, () => AlarmConfiguration$, 0], 1
];
var StartAutomationExecutionResult$ = [3, n0, _SAERt,
    0,
    [_AEI],
    [0]
];
var StartChangeRequestExecutionRequest$ = [3, n0, _SCRER,
    0,
    [_DN, _R, _STc, _DV, _P, _CRN, _CTl, _AA, _T, _SETc, _CDh],
    [0, () => Runbooks, 4, 0, [2, n0, _APM, 0, 0, 64 | 0], 0, 0, 2, () => TagList, 4, 0], 2
];
var StartChangeRequestExecutionResult$ = [3, n0, _SCRERt,
    0,
    [_AEI],
    [0]
];
var StartExecutionPreviewRequest$ = [3, n0, _SEPR,
    0,
    [_DN, _DV, _EIx],
    [0, 0, () => ExecutionInputs$], 1
];
var StartExecutionPreviewResponse$ = [3, n0, _SEPRt,
    0,
    [_EPI],
    [0]
];
var StartSessionRequest$ = [3, n0, _SSR,
    0,
    [_Tar, _DN, _Rea, _P],
    [0, 0, 0, [2, n0, _SMP, 0, 0, 64 | 0]], 1
];
var StartSessionResponse$ = [3, n0, _SSRt,
    0,
    [_SIes, _TV, _SUt],
    [0, 0, 0]
];
var StepExecution$ = [3, n0, _SEte,
    0,
    [_SNt, _Ac, _TSi, _OFn, _MA, _EST, _EET, _SSt, _RCes, _Inpu, _Ou, _Res, _FM, _WM, _FD, _SEI, _OP, _IE, _NS, _ICs, _VNS, _Ta, _TLar, _TA, _PSD],
    [0, 0, 1, 0, 1, 4, 4, 0, 0, 128 | 0, [2, n0, _APM, 0, 0, 64 | 0], 0, 0, 0, () => FailureDetails$, 0, [2, n0, _APM, 0, 0, 64 | 0], 2, 0, 2, 64 | 0, () => Targets, () => TargetLocation$, () => AlarmStateInformationList, () => ParentStepDetails$]
];
var StepExecutionFilter$ = [3, n0, _SEF,
    0,
    [_K, _Va],
    [0, 64 | 0], 2
];
var StopAutomationExecutionRequest$ = [3, n0, _SAERto,
    0,
    [_AEI, _Ty],
    [0, 0], 1
];
var StopAutomationExecutionResult$ = [3, n0, _SAERtop,
    0,
    [],
    []
];
var Tag$ = [3, n0, _Tag,
    0,
    [_K, _V],
    [0, 0], 2
];
var Target$ = [3, n0, _Tar,
    0,
    [_K, _Va],
    [0, 64 | 0]
];
var TargetLocation$ = [3, n0, _TLar,
    0,
    [_Acc, _Re, _TLMC, _TLME, _ERN, _TLAC, _ICOU, _EAx, _Ta, _TMC, _TME],
    [64 | 0, 64 | 0, 0, 0, 0, () => AlarmConfiguration$, 2, 64 | 0, () => AutomationTargets, 0, 0]
];
var TargetPreview$ = [3, n0, _TPar,
    0,
    [_Cou, _TT],
    [1, 0]
];
var TargetsSummary$ = [3, n0, _TS,
    0,
    [_TCo, _SCt, _CC, _SCu, _FC],
    [1, 1, 1, 1, 1]
];
var TerminateSessionRequest$ = [3, n0, _TSR,
    0,
    [_SIes],
    [0], 1
];
var TerminateSessionResponse$ = [3, n0, _TSRe,
    0,
    [_SIes],
    [0]
];
var UnlabelParameterVersionRequest$ = [3, n0, _UPVR,
    0,
    [_N, _PVa, _La],
    [0, 1, 64 | 0], 3
];
var UnlabelParameterVersionResult$ = [3, n0, _UPVRn,
    0,
    [_RLe, _IL],
    [64 | 0, 64 | 0]
];
var UpdateAssociationRequest$ = [3, n0, _UAR,
    0,
    [_AIs, _P, _DV, _SE, _OL, _N, _Ta, _AN, _AV, _ATPN, _ME, _MC, _CS, _SCy, _AOACI, _CN, _TL, _SO, _Du, _TM, _AC, _ADAR],
    [0, [() => _Parameters, 0], 0, 0, () => InstanceAssociationOutputLocation$, 0, () => Targets, 0, 0, 0, 0, 0, 0, 0, 2, 64 | 0, () => TargetLocations, 1, 1, [1, n0, _TM, 0, [2, n0, _TMa, 0, 0, 64 | 0]], () => AlarmConfiguration$, 0], 1
];
var UpdateAssociationResult$ = [3, n0, _UARp,
    0,
    [_AD],
    [[() => AssociationDescription$, 0]]
];
var UpdateAssociationStatusRequest$ = [3, n0, _UASR,
    0,
    [_N, _II, _AS],
    [0, 0, () => AssociationStatus$], 3
];
var UpdateAssociationStatusResult$ = [3, n0, _UASRp,
    0,
    [_AD],
    [[() => AssociationDescription$, 0]]
];
var UpdateCloudConnectorRequest$ = [3, n0, _UCCR,
    0,
    [_CCI, _DNi, _Con, _D],
    [0, 0, () => CloudConnectorConfiguration$, 0], 1
];
var UpdateCloudConnectorResult$ = [3, n0, _UCCRp,
    0,
    [_CCI],
    [0]
];
var UpdateDocumentDefaultVersionRequest$ = [3, n0, _UDDVR,
    0,
    [_N, _DV],
    [0, 0], 2
];
var UpdateDocumentDefaultVersionResult$ = [3, n0, _UDDVRp,
    0,
    [_D],
    [() => DocumentDefaultVersionDescription$]
];
var UpdateDocumentMetadataRequest$ = [3, n0, _UDMR,
    0,
    [_N, _DRoc, _DV],
    [0, () => DocumentReviews$, 0], 2
];
var UpdateDocumentMetadataResponse$ = [3, n0, _UDMRp,
    0,
    [],
    []
];
var UpdateDocumentRequest$ = [3, n0, _UDR,
    0,
    [_Cont, _N, _At, _DNi, _VN, _DV, _DF, _TT],
    [0, 0, () => AttachmentsSourceList, 0, 0, 0, 0, 0], 2
];
var UpdateDocumentResult$ = [3, n0, _UDRp,
    0,
    [_DD],
    [[() => DocumentDescription$, 0]]
];
var UpdateMaintenanceWindowRequest$ = [3, n0, _UMWR,
    0,
    [_WI, _N, _D, _SDt, _EDn, _Sc, _STch, _SO, _Du, _Cu, _AUT, _Ena, _Repl],
    [0, 0, [() => MaintenanceWindowDescription, 0], 0, 0, 0, 0, 1, 1, 1, 2, 2, 2], 1
];
var UpdateMaintenanceWindowResult$ = [3, n0, _UMWRp,
    0,
    [_WI, _N, _D, _SDt, _EDn, _Sc, _STch, _SO, _Du, _Cu, _AUT, _Ena],
    [0, 0, [() => MaintenanceWindowDescription, 0], 0, 0, 0, 0, 1, 1, 1, 2, 2]
];
var UpdateMaintenanceWindowTargetRequest$ = [3, n0, _UMWTR,
    0,
    [_WI, _WTI, _Ta, _OI, _N, _D, _Repl],
    [0, 0, () => Targets, [() => OwnerInformation, 0], 0, [() => MaintenanceWindowDescription, 0], 2], 2
];
var UpdateMaintenanceWindowTargetResult$ = [3, n0, _UMWTRp,
    0,
    [_WI, _WTI, _Ta, _OI, _N, _D],
    [0, 0, () => Targets, [() => OwnerInformation, 0], 0, [() => MaintenanceWindowDescription, 0]]
];
var UpdateMaintenanceWindowTaskRequest$ = [3, n0, _UMWTRpd,
    0,
    [_WI, _WTIi, _Ta, _TAa, _SRA, _TPa, _TIP, _Pri, _MC, _ME, _LI, _N, _D, _Repl, _CB, _AC],
    [0, 0, () => Targets, 0, 0, [() => MaintenanceWindowTaskParameters, 0], [() => MaintenanceWindowTaskInvocationParameters$, 0], 1, 0, 0, () => LoggingInfo$, 0, [() => MaintenanceWindowDescription, 0], 2, 0, () => AlarmConfiguration$], 2
];
var UpdateMaintenanceWindowTaskResult$ = [3, n0, _UMWTRpda,
    0,
    [_WI, _WTIi, _Ta, _TAa, _SRA, _TPa, _TIP, _Pri, _MC, _ME, _LI, _N, _D, _CB, _AC],
    [0, 0, () => Targets, 0, 0, [() => MaintenanceWindowTaskParameters, 0], [() => MaintenanceWindowTaskInvocationParameters$, 0], 1, 0, 0, () => LoggingInfo$, 0, [() => MaintenanceWindowDescription, 0], 0, () => AlarmConfiguration$]
];
var UpdateManagedInstanceRoleRequest$ = [3, n0, _UMIRR,
    0,
    [_II, _IRa],
    [0, 0], 2
];
var UpdateManagedInstanceRoleResult$ = [3, n0, _UMIRRp,
    0,
    [],
    []
];
var UpdateOpsItemRequest$ = [3, n0, _UOIR,
    0,
    [_OII, _D, _OD, _ODTD, _No, _Pri, _ROI, _St, _Ti, _Ca, _Se, _AST, _AETc, _PST, _PET, _OIA],
    [0, 0, () => OpsItemOperationalData, 64 | 0, () => OpsItemNotifications, 1, () => RelatedOpsItems, 0, 0, 0, 0, 4, 4, 4, 4, 0], 1
];
var UpdateOpsItemResponse$ = [3, n0, _UOIRp,
    0,
    [],
    []
];
var UpdateOpsMetadataRequest$ = [3, n0, _UOMR,
    0,
    [_OMA, _MTU, _KTD],
    [0, () => MetadataMap, 64 | 0], 1
];
var UpdateOpsMetadataResult$ = [3, n0, _UOMRp,
    0,
    [_OMA],
    [0]
];
var UpdatePatchBaselineRequest$ = [3, n0, _UPBR,
    0,
    [_BI, _N, _GF, _AR, _AP, _APCL, _APENS, _RP, _RPA, _D, _So, _ASUCS, _Repl],
    [0, 0, () => PatchFilterGroup$, () => PatchRuleGroup$, 64 | 0, 0, 2, 64 | 0, 0, 0, [() => PatchSourceList, 0], 0, 2], 1
];
var UpdatePatchBaselineResult$ = [3, n0, _UPBRp,
    0,
    [_BI, _N, _OSp, _GF, _AR, _AP, _APCL, _APENS, _RP, _RPA, _CD, _MD, _D, _So, _ASUCS],
    [0, 0, 0, () => PatchFilterGroup$, () => PatchRuleGroup$, 64 | 0, 0, 2, 64 | 0, 0, 4, 4, 0, [() => PatchSourceList, 0], 0]
];
var UpdateResourceDataSyncRequest$ = [3, n0, _URDSR,
    0,
    [_SN, _ST, _SSy],
    [0, 0, () => ResourceDataSyncSource$], 3
];
var UpdateResourceDataSyncResult$ = [3, n0, _URDSRp,
    0,
    [],
    []
];
var UpdateServiceSettingRequest$ = [3, n0, _USSR,
    0,
    [_SIe, _SVe],
    [0, 0], 2
];
var UpdateServiceSettingResult$ = [3, n0, _USSRp,
    0,
    [],
    []
];
var ValidateCloudConnectorRequest$ = [3, n0, _VCCR,
    0,
    [_CCI, _MR, _NT],
    [0, 1, 0], 1
];
var ValidateCloudConnectorResult$ = [3, n0, _VCCRa,
    0,
    [_VF, _NT],
    [() => ValidationFindingList, 0]
];
var ValidationFinding$ = [3, n0, _VFa,
    0,
    [_Ty, _Cod, _M, _PMr, _Sco],
    [0, 0, 0, 0, () => ValidationFindingScope$]
];
var ValidationFindingScope$ = [3, n0, _VFS,
    0,
    [_Ty, _I],
    [0, 0]
];
var AccountIdList = [1, n0, _AIL,
    0, [0,
        { [_xN]: _AIc }]
];
var AccountSharingInfoList = [1, n0, _ASIL,
    0, [() => AccountSharingInfo$,
        { [_xN]: _ASI }]
];
var ActivationList = [1, n0, _AL,
    0, () => Activation$
];
var AlarmList = [1, n0, _ALl,
    0, () => Alarm$
];
var AlarmStateInformationList = [1, n0, _ASILl,
    0, () => AlarmStateInformation$
];
var AssociationDescriptionList = [1, n0, _ADL,
    0, [() => AssociationDescription$,
        { [_xN]: _AD }]
];
var AssociationExecutionFilterList = [1, n0, _AEFL,
    0, [() => AssociationExecutionFilter$,
        { [_xN]: _AEF }]
];
var AssociationExecutionsList = [1, n0, _AEL,
    0, [() => AssociationExecution$,
        { [_xN]: _AE }]
];
var AssociationExecutionTargetsFilterList = [1, n0, _AETFL,
    0, [() => AssociationExecutionTargetsFilter$,
        { [_xN]: _AETF }]
];
var AssociationExecutionTargetsList = [1, n0, _AETL,
    0, [() => AssociationExecutionTarget$,
        { [_xN]: _AET }]
];
var AssociationFilterList = [1, n0, _AFL,
    0, [() => AssociationFilter$,
        { [_xN]: _AF }]
];
var AssociationList = [1, n0, _ALs,
    0, [() => Association$,
        { [_xN]: _As }]
];
var AssociationVersionList = [1, n0, _AVL,
    0, [() => AssociationVersionInfo$,
        0]
];
var AttachmentContentList = [1, n0, _ACL,
    0, [() => AttachmentContent$,
        { [_xN]: _ACt }]
];
var AttachmentInformationList = [1, n0, _AILt,
    0, [() => AttachmentInformation$,
        { [_xN]: _AIt }]
];
var AttachmentsSourceList = [1, n0, _ASL,
    0, () => AttachmentsSource$
];
var AutomationExecutionFilterList = [1, n0, _AEFLu,
    0, () => AutomationExecutionFilter$
];
var AutomationExecutionMetadataList = [1, n0, _AEML,
    0, () => AutomationExecutionMetadata$
];
var AutomationTargets = [1, n0, _ATut,
    0, () => Target$
];
var AzureSubscriptionList = [1, n0, _ASLz,
    0, () => AzureSubscription$
];
var CloudConnectorFilterList = [1, n0, _CCFL,
    0, () => CloudConnectorFilter$
];
var CloudConnectorSummaryList = [1, n0, _CCSL,
    0, () => CloudConnectorSummary$
];
var CommandFilterList = [1, n0, _CFL,
    0, () => CommandFilter$
];
var CommandInvocationList = [1, n0, _CIL,
    0, () => CommandInvocation$
];
var CommandList = [1, n0, _CLo,
    0, [() => Command$,
        0]
];
var CommandPluginList = [1, n0, _CPL,
    0, () => CommandPlugin$
];
var ComplianceItemEntryList = [1, n0, _CIEL,
    0, () => ComplianceItemEntry$
];
var ComplianceItemList = [1, n0, _CILo,
    0, [() => ComplianceItem$,
        { [_xN]: _Item }]
];
var ComplianceStringFilterList = [1, n0, _CSFL,
    0, [() => ComplianceStringFilter$,
        { [_xN]: _CFo }]
];
var ComplianceStringFilterValueList = [1, n0, _CSFVL,
    0, [0,
        { [_xN]: _FVi }]
];
var ComplianceSummaryItemList = [1, n0, _CSIL,
    0, [() => ComplianceSummaryItem$,
        { [_xN]: _Item }]
];
var CreateAssociationBatchRequestEntries = [1, n0, _CABREr,
    0, [() => CreateAssociationBatchRequestEntry$,
        { [_xN]: _en }]
];
var DescribeActivationsFilterList = [1, n0, _DAFL,
    0, () => DescribeActivationsFilter$
];
var DocumentFilterList = [1, n0, _DFL,
    0, [() => DocumentFilter$,
        { [_xN]: _DFo }]
];
var DocumentIdentifierList = [1, n0, _DIL,
    0, [() => DocumentIdentifier$,
        { [_xN]: _DIo }]
];
var DocumentKeyValuesFilterList = [1, n0, _DKVFL,
    0, () => DocumentKeyValuesFilter$
];
var DocumentParameterList = [1, n0, _DPLo,
    0, [() => DocumentParameter$,
        { [_xN]: _DPo }]
];
var DocumentRequiresList = [1, n0, _DRL,
    0, () => DocumentRequires$
];
var DocumentReviewCommentList = [1, n0, _DRCL,
    0, () => DocumentReviewCommentSource$
];
var DocumentReviewerResponseList = [1, n0, _DRRL,
    0, () => DocumentReviewerResponseSource$
];
var DocumentVersionList = [1, n0, _DVL,
    0, () => DocumentVersionInfo$
];
var EffectivePatchList = [1, n0, _EPL,
    0, () => EffectivePatch$
];
var FailedCreateAssociationList = [1, n0, _FCAL,
    0, [() => FailedCreateAssociation$,
        { [_xN]: _FCAE }]
];
var GcpProjectList = [1, n0, _GPL,
    0, () => GcpProject$
];
var GetResourcePoliciesResponseEntries = [1, n0, _GRPREe,
    0, () => GetResourcePoliciesResponseEntry$
];
var InstanceAssociationList = [1, n0, _IAL,
    0, () => InstanceAssociation$
];
var InstanceAssociationStatusInfos = [1, n0, _IASI,
    0, () => InstanceAssociationStatusInfo$
];
var InstanceInformationFilterList = [1, n0, _IIFL,
    0, [() => InstanceInformationFilter$,
        { [_xN]: _IIF }]
];
var InstanceInformationFilterValueSet = [1, n0, _IIFVS,
    0, [0,
        { [_xN]: _IIFV }]
];
var InstanceInformationList = [1, n0, _IIL,
    0, [() => InstanceInformation$,
        { [_xN]: _IInst }]
];
var InstanceInformationStringFilterList = [1, n0, _IISFL,
    0, [() => InstanceInformationStringFilter$,
        { [_xN]: _IISF }]
];
var InstancePatchStateFilterList = [1, n0, _IPSFL,
    0, () => InstancePatchStateFilter$
];
var InstancePatchStateList = [1, n0, _IPSL,
    0, [() => InstancePatchState$,
        0]
];
var InstancePatchStatesList = [1, n0, _IPSLn,
    0, [() => InstancePatchState$,
        0]
];
var InstanceProperties = [1, n0, _IPn,
    0, [() => InstanceProperty$,
        { [_xN]: _IPns }]
];
var InstancePropertyFilterList = [1, n0, _IPFL,
    0, [() => InstancePropertyFilter$,
        { [_xN]: _IPF }]
];
var InstancePropertyFilterValueSet = [1, n0, _IPFVS,
    0, [0,
        { [_xN]: _IPFV }]
];
var InstancePropertyStringFilterList = [1, n0, _IPSFLn,
    0, [() => InstancePropertyStringFilter$,
        { [_xN]: _IPSFn }]
];
var InventoryAggregatorList = [1, n0, _IALn,
    0, [() => InventoryAggregator$,
        { [_xN]: _Agg }]
];
var InventoryDeletionsList = [1, n0, _IDL,
    0, () => InventoryDeletionStatusItem$
];
var InventoryDeletionSummaryItems = [1, n0, _IDSInv,
    0, () => InventoryDeletionSummaryItem$
];
var InventoryFilterList = [1, n0, _IFL,
    0, [() => InventoryFilter$,
        { [_xN]: _IFn }]
];
var InventoryFilterValueList = [1, n0, _IFVL,
    0, [0,
        { [_xN]: _FVi }]
];
var InventoryGroupList = [1, n0, _IGL,
    0, [() => InventoryGroup$,
        { [_xN]: _IG }]
];
var InventoryItemAttributeList = [1, n0, _IIAL,
    0, [() => InventoryItemAttribute$,
        { [_xN]: _Attr }]
];
var InventoryItemList = [1, n0, _IILn,
    0, [() => InventoryItem$,
        { [_xN]: _Item }]
];
var InventoryItemSchemaResultList = [1, n0, _IISRL,
    0, [() => InventoryItemSchema$,
        0]
];
var InventoryResultEntityList = [1, n0, _IREL,
    0, [() => InventoryResultEntity$,
        { [_xN]: _Entit }]
];
var MaintenanceWindowExecutionList = [1, n0, _MWEL,
    0, () => MaintenanceWindowExecution$
];
var MaintenanceWindowExecutionTaskIdentityList = [1, n0, _MWETIL,
    0, () => MaintenanceWindowExecutionTaskIdentity$
];
var MaintenanceWindowExecutionTaskInvocationIdentityList = [1, n0, _MWETIIL,
    0, [() => MaintenanceWindowExecutionTaskInvocationIdentity$,
        0]
];
var MaintenanceWindowFilterList = [1, n0, _MWFL,
    0, () => MaintenanceWindowFilter$
];
var MaintenanceWindowIdentityList = [1, n0, _MWIL,
    0, [() => MaintenanceWindowIdentity$,
        0]
];
var MaintenanceWindowsForTargetList = [1, n0, _MWFTL,
    0, () => MaintenanceWindowIdentityForTarget$
];
var MaintenanceWindowTargetList = [1, n0, _MWTL,
    0, [() => MaintenanceWindowTarget$,
        0]
];
var MaintenanceWindowTaskList = [1, n0, _MWTLa,
    0, [() => MaintenanceWindowTask$,
        0]
];
var MaintenanceWindowTaskParametersList = [1, n0, _MWTPL,
    8, [() => MaintenanceWindowTaskParameters,
        0]
];
var MaintenanceWindowTaskParameterValueList = [1, n0, _MWTPVL,
    8, [() => MaintenanceWindowTaskParameterValue,
        0]
];
var NodeAggregatorList = [1, n0, _NAL,
    0, [() => NodeAggregator$,
        { [_xN]: _NA }]
];
var NodeFilterList = [1, n0, _NFL,
    0, [() => NodeFilter$,
        { [_xN]: _NF }]
];
var NodeFilterValueList = [1, n0, _NFVL,
    0, [0,
        { [_xN]: _FVi }]
];
var NodeList = [1, n0, _NL,
    0, [() => Node$,
        0]
];
var OpsAggregatorList = [1, n0, _OAL,
    0, [() => OpsAggregator$,
        { [_xN]: _Agg }]
];
var OpsEntityList = [1, n0, _OEL,
    0, [() => OpsEntity$,
        { [_xN]: _Entit }]
];
var OpsFilterList = [1, n0, _OFL,
    0, [() => OpsFilter$,
        { [_xN]: _OF }]
];
var OpsFilterValueList = [1, n0, _OFVL,
    0, [0,
        { [_xN]: _FVi }]
];
var OpsItemEventFilters = [1, n0, _OIEFp,
    0, () => OpsItemEventFilter$
];
var OpsItemEventSummaries = [1, n0, _OIESp,
    0, () => OpsItemEventSummary$
];
var OpsItemFilters = [1, n0, _OIF,
    0, () => OpsItemFilter$
];
var OpsItemNotifications = [1, n0, _OINp,
    0, () => OpsItemNotification$
];
var OpsItemRelatedItemsFilters = [1, n0, _OIRIFp,
    0, () => OpsItemRelatedItemsFilter$
];
var OpsItemRelatedItemSummaries = [1, n0, _OIRISp,
    0, () => OpsItemRelatedItemSummary$
];
var OpsItemSummaries = [1, n0, _OIS,
    0, () => OpsItemSummary$
];
var OpsMetadataFilterList = [1, n0, _OMFL,
    0, () => OpsMetadataFilter$
];
var OpsMetadataList = [1, n0, _OML,
    0, () => OpsMetadata$
];
var OpsResultAttributeList = [1, n0, _ORAL,
    0, [() => OpsResultAttribute$,
        { [_xN]: _ORA }]
];
var ParameterHistoryList = [1, n0, _PHL,
    0, [() => ParameterHistory$,
        0]
];
var ParameterList = [1, n0, _PL,
    0, [() => Parameter$,
        0]
];
var ParameterMetadataList = [1, n0, _PML,
    0, () => ParameterMetadata$
];
var ParameterPolicyList = [1, n0, _PPLa,
    0, () => ParameterInlinePolicy$
];
var ParametersFilterList = [1, n0, _PFL,
    0, () => ParametersFilter$
];
var ParameterStringFilterList = [1, n0, _PSFL,
    0, () => ParameterStringFilter$
];
var PatchBaselineIdentityList = [1, n0, _PBIL,
    0, () => PatchBaselineIdentity$
];
var PatchComplianceDataList = [1, n0, _PCDL,
    0, () => PatchComplianceData$
];
var PatchFilterList = [1, n0, _PFLa,
    0, () => PatchFilter$
];
var PatchGroupPatchBaselineMappingList = [1, n0, _PGPBML,
    0, () => PatchGroupPatchBaselineMapping$
];
var PatchList = [1, n0, _PLa,
    0, () => Patch$
];
var PatchOrchestratorFilterList = [1, n0, _POFL,
    0, () => PatchOrchestratorFilter$
];
var PatchRuleList = [1, n0, _PRL,
    0, () => PatchRule$
];
var PatchSourceList = [1, n0, _PSL,
    0, [() => PatchSource$,
        0]
];
var PlatformTypeList = [1, n0, _PTL,
    0, [0,
        { [_xN]: _PTla }]
];
var RegistrationMetadataList = [1, n0, _RML,
    0, () => RegistrationMetadataItem$
];
var RelatedOpsItems = [1, n0, _ROI,
    0, () => RelatedOpsItem$
];
var ResourceComplianceSummaryItemList = [1, n0, _RCSIL,
    0, [() => ResourceComplianceSummaryItem$,
        { [_xN]: _Item }]
];
var ResourceDataSyncItemList = [1, n0, _RDSIL,
    0, () => ResourceDataSyncItem$
];
var ResourceDataSyncOrganizationalUnitList = [1, n0, _RDSOUL,
    0, () => ResourceDataSyncOrganizationalUnit$
];
var ResultAttributeList = [1, n0, _RAL,
    0, [() => ResultAttribute$,
        { [_xN]: _RAesu }]
];
var ReviewInformationList = [1, n0, _RIL,
    0, [() => ReviewInformation$,
        { [_xN]: _RIe }]
];
var Runbooks = [1, n0, _R,
    0, () => Runbook$
];
var ScheduledWindowExecutionList = [1, n0, _SWEL,
    0, () => ScheduledWindowExecution$
];
var SessionFilterList = [1, n0, _SFL,
    0, () => SessionFilter$
];
var SessionList = [1, n0, _SLe,
    0, () => Session$
];
var StepExecutionFilterList = [1, n0, _SEFL,
    0, () => StepExecutionFilter$
];
var StepExecutionList = [1, n0, _SEL,
    0, () => StepExecution$
];
var TagList = [1, n0, _TLa,
    0, () => Tag$
];
var TargetLocations = [1, n0, _TL,
    0, () => TargetLocation$
];
var TargetPreviewList = [1, n0, _TPL,
    0, () => TargetPreview$
];
var Targets = [1, n0, _Ta,
    0, () => Target$
];
var ValidationFindingList = [1, n0, _VFL,
    0, () => ValidationFinding$
];
var InventoryResultItemMap = [2, n0, _IRIM,
    0, 0, () => InventoryResultItem$
];
var MaintenanceWindowTaskParameters = [2, n0, _MWTP,
    8, [0,
        0],
    [() => MaintenanceWindowTaskParameterValueExpression$,
        0]
];
var MetadataMap = [2, n0, _MM,
    0, 0, () => MetadataValue$
];
var OpsEntityItemMap = [2, n0, _OEIM,
    0, 0, () => OpsEntityItem$
];
var OpsItemOperationalData = [2, n0, _OIOD,
    0, 0, () => OpsItemDataValue$
];
var _Parameters = [2, n0, _P,
    8, 0, 64 | 0
];
var CloudConnectorConfiguration$ = [4, n0, _CCC,
    0,
    [_ACz, _GC],
    [() => AzureConfiguration$, () => GcpConfiguration$]
];
var ConfigurationTargets$ = [4, n0, _CTon,
    0,
    [_Sub],
    [() => AzureSubscriptionList]
];
var ExecutionInputs$ = [4, n0, _EIx,
    0,
    [_Aut],
    [() => AutomationExecutionInputs$]
];
var ExecutionPreview$ = [4, n0, _EPx,
    0,
    [_Aut],
    [() => AutomationExecutionPreview$]
];
var GcpConfigurationTargets$ = [4, n0, _GCT,
    0,
    [_Proj],
    [() => GcpProjectList]
];
var NodeType$ = [4, n0, _NTo,
    0,
    [_Ins],
    [[() => InstanceInfo$, 0]]
];
var AddTagsToResource$ = [9, n0, _ATTR,
    0, () => AddTagsToResourceRequest$, () => AddTagsToResourceResult$
];
var AssociateOpsItemRelatedItem$ = [9, n0, _AOIRI,
    0, () => AssociateOpsItemRelatedItemRequest$, () => AssociateOpsItemRelatedItemResponse$
];
var CancelCommand$ = [9, n0, _CCa,
    0, () => CancelCommandRequest$, () => CancelCommandResult$
];
var CancelMaintenanceWindowExecution$ = [9, n0, _CMWE,
    0, () => CancelMaintenanceWindowExecutionRequest$, () => CancelMaintenanceWindowExecutionResult$
];
var CreateActivation$ = [9, n0, _CAre,
    0, () => CreateActivationRequest$, () => CreateActivationResult$
];
var CreateAssociation$ = [9, n0, _CArea,
    0, () => CreateAssociationRequest$, () => CreateAssociationResult$
];
var CreateAssociationBatch$ = [9, n0, _CAB,
    0, () => CreateAssociationBatchRequest$, () => CreateAssociationBatchResult$
];
var CreateCloudConnector$ = [9, n0, _CCCr,
    0, () => CreateCloudConnectorRequest$, () => CreateCloudConnectorResult$
];
var CreateDocument$ = [9, n0, _CDre,
    0, () => CreateDocumentRequest$, () => CreateDocumentResult$
];
var CreateMaintenanceWindow$ = [9, n0, _CMW,
    0, () => CreateMaintenanceWindowRequest$, () => CreateMaintenanceWindowResult$
];
var CreateOpsItem$ = [9, n0, _COI,
    0, () => CreateOpsItemRequest$, () => CreateOpsItemResponse$
];
var CreateOpsMetadata$ = [9, n0, _COM,
    0, () => CreateOpsMetadataRequest$, () => CreateOpsMetadataResult$
];
var CreatePatchBaseline$ = [9, n0, _CPB,
    0, () => CreatePatchBaselineRequest$, () => CreatePatchBaselineResult$
];
var CreateResourceDataSync$ = [9, n0, _CRDS,
    0, () => CreateResourceDataSyncRequest$, () => CreateResourceDataSyncResult$
];
var DeleteActivation$ = [9, n0, _DA,
    0, () => DeleteActivationRequest$, () => DeleteActivationResult$
];
var DeleteAssociation$ = [9, n0, _DAe,
    0, () => DeleteAssociationRequest$, () => DeleteAssociationResult$
];
var DeleteCloudConnector$ = [9, n0, _DCC,
    0, () => DeleteCloudConnectorRequest$, () => DeleteCloudConnectorResult$
];
var DeleteDocument$ = [9, n0, _DDe,
    0, () => DeleteDocumentRequest$, () => DeleteDocumentResult$
];
var DeleteInventory$ = [9, n0, _DIe,
    0, () => DeleteInventoryRequest$, () => DeleteInventoryResult$
];
var DeleteMaintenanceWindow$ = [9, n0, _DMW,
    0, () => DeleteMaintenanceWindowRequest$, () => DeleteMaintenanceWindowResult$
];
var DeleteOpsItem$ = [9, n0, _DOI,
    0, () => DeleteOpsItemRequest$, () => DeleteOpsItemResponse$
];
var DeleteOpsMetadata$ = [9, n0, _DOM,
    0, () => DeleteOpsMetadataRequest$, () => DeleteOpsMetadataResult$
];
var DeleteParameter$ = [9, n0, _DPe,
    0, () => DeleteParameterRequest$, () => DeleteParameterResult$
];
var DeleteParameters$ = [9, n0, _DPel,
    0, () => DeleteParametersRequest$, () => DeleteParametersResult$
];
var DeletePatchBaseline$ = [9, n0, _DPB,
    0, () => DeletePatchBaselineRequest$, () => DeletePatchBaselineResult$
];
var DeleteResourceDataSync$ = [9, n0, _DRDS,
    0, () => DeleteResourceDataSyncRequest$, () => DeleteResourceDataSyncResult$
];
var DeleteResourcePolicy$ = [9, n0, _DRP,
    0, () => DeleteResourcePolicyRequest$, () => DeleteResourcePolicyResponse$
];
var DeregisterDefaultHostManagementConfiguration$ = [9, n0, _DDHMC,
    2, () => DeregisterDefaultHostManagementConfigurationRequest$, () => DeregisterDefaultHostManagementConfigurationResult$
];
var DeregisterManagedInstance$ = [9, n0, _DMI,
    0, () => DeregisterManagedInstanceRequest$, () => DeregisterManagedInstanceResult$
];
var DeregisterPatchBaselineForPatchGroup$ = [9, n0, _DPBFPG,
    0, () => DeregisterPatchBaselineForPatchGroupRequest$, () => DeregisterPatchBaselineForPatchGroupResult$
];
var DeregisterTargetFromMaintenanceWindow$ = [9, n0, _DTFMW,
    0, () => DeregisterTargetFromMaintenanceWindowRequest$, () => DeregisterTargetFromMaintenanceWindowResult$
];
var DeregisterTaskFromMaintenanceWindow$ = [9, n0, _DTFMWe,
    0, () => DeregisterTaskFromMaintenanceWindowRequest$, () => DeregisterTaskFromMaintenanceWindowResult$
];
var DescribeActivations$ = [9, n0, _DAes,
    0, () => DescribeActivationsRequest$, () => DescribeActivationsResult$
];
var DescribeAssociation$ = [9, n0, _DAesc,
    0, () => DescribeAssociationRequest$, () => DescribeAssociationResult$
];
var DescribeAssociationExecutions$ = [9, n0, _DAEe,
    0, () => DescribeAssociationExecutionsRequest$, () => DescribeAssociationExecutionsResult$
];
var DescribeAssociationExecutionTargets$ = [9, n0, _DAET,
    0, () => DescribeAssociationExecutionTargetsRequest$, () => DescribeAssociationExecutionTargetsResult$
];
var DescribeAutomationExecutions$ = [9, n0, _DAEes,
    0, () => DescribeAutomationExecutionsRequest$, () => DescribeAutomationExecutionsResult$
];
var DescribeAutomationStepExecutions$ = [9, n0, _DASE,
    0, () => DescribeAutomationStepExecutionsRequest$, () => DescribeAutomationStepExecutionsResult$
];
var DescribeAvailablePatches$ = [9, n0, _DAP,
    0, () => DescribeAvailablePatchesRequest$, () => DescribeAvailablePatchesResult$
];
var DescribeDocument$ = [9, n0, _DDes,
    0, () => DescribeDocumentRequest$, () => DescribeDocumentResult$
];
var DescribeDocumentPermission$ = [9, n0, _DDP,
    0, () => DescribeDocumentPermissionRequest$, () => DescribeDocumentPermissionResponse$
];
var DescribeEffectiveInstanceAssociations$ = [9, n0, _DEIA,
    0, () => DescribeEffectiveInstanceAssociationsRequest$, () => DescribeEffectiveInstanceAssociationsResult$
];
var DescribeEffectivePatchesForPatchBaseline$ = [9, n0, _DEPFPB,
    0, () => DescribeEffectivePatchesForPatchBaselineRequest$, () => DescribeEffectivePatchesForPatchBaselineResult$
];
var DescribeInstanceAssociationsStatus$ = [9, n0, _DIAS,
    0, () => DescribeInstanceAssociationsStatusRequest$, () => DescribeInstanceAssociationsStatusResult$
];
var DescribeInstanceInformation$ = [9, n0, _DIIe,
    0, () => DescribeInstanceInformationRequest$, () => DescribeInstanceInformationResult$
];
var DescribeInstancePatches$ = [9, n0, _DIP,
    0, () => DescribeInstancePatchesRequest$, () => DescribeInstancePatchesResult$
];
var DescribeInstancePatchStates$ = [9, n0, _DIPS,
    0, () => DescribeInstancePatchStatesRequest$, () => DescribeInstancePatchStatesResult$
];
var DescribeInstancePatchStatesForPatchGroup$ = [9, n0, _DIPSFPG,
    0, () => DescribeInstancePatchStatesForPatchGroupRequest$, () => DescribeInstancePatchStatesForPatchGroupResult$
];
var DescribeInstanceProperties$ = [9, n0, _DIPe,
    0, () => DescribeInstancePropertiesRequest$, () => DescribeInstancePropertiesResult$
];
var DescribeInventoryDeletions$ = [9, n0, _DID,
    0, () => DescribeInventoryDeletionsRequest$, () => DescribeInventoryDeletionsResult$
];
var DescribeMaintenanceWindowExecutions$ = [9, n0, _DMWE,
    0, () => DescribeMaintenanceWindowExecutionsRequest$, () => DescribeMaintenanceWindowExecutionsResult$
];
var DescribeMaintenanceWindowExecutionTaskInvocations$ = [9, n0, _DMWETI,
    0, () => DescribeMaintenanceWindowExecutionTaskInvocationsRequest$, () => DescribeMaintenanceWindowExecutionTaskInvocationsResult$
];
var DescribeMaintenanceWindowExecutionTasks$ = [9, n0, _DMWET,
    0, () => DescribeMaintenanceWindowExecutionTasksRequest$, () => DescribeMaintenanceWindowExecutionTasksResult$
];
var DescribeMaintenanceWindows$ = [9, n0, _DMWe,
    0, () => DescribeMaintenanceWindowsRequest$, () => DescribeMaintenanceWindowsResult$
];
var DescribeMaintenanceWindowSchedule$ = [9, n0, _DMWS,
    0, () => DescribeMaintenanceWindowScheduleRequest$, () => DescribeMaintenanceWindowScheduleResult$
];
var DescribeMaintenanceWindowsForTarget$ = [9, n0, _DMWFT,
    0, () => DescribeMaintenanceWindowsForTargetRequest$, () => DescribeMaintenanceWindowsForTargetResult$
];
var DescribeMaintenanceWindowTargets$ = [9, n0, _DMWT,
    0, () => DescribeMaintenanceWindowTargetsRequest$, () => DescribeMaintenanceWindowTargetsResult$
];
var DescribeMaintenanceWindowTasks$ = [9, n0, _DMWTe,
    0, () => DescribeMaintenanceWindowTasksRequest$, () => DescribeMaintenanceWindowTasksResult$
];
var DescribeOpsItems$ = [9, n0, _DOIe,
    0, () => DescribeOpsItemsRequest$, () => DescribeOpsItemsResponse$
];
var DescribeParameters$ = [9, n0, _DPes,
    0, () => DescribeParametersRequest$, () => DescribeParametersResult$
];
var DescribePatchBaselines$ = [9, n0, _DPBe,
    0, () => DescribePatchBaselinesRequest$, () => DescribePatchBaselinesResult$
];
var DescribePatchGroups$ = [9, n0, _DPG,
    0, () => DescribePatchGroupsRequest$, () => DescribePatchGroupsResult$
];
var DescribePatchGroupState$ = [9, n0, _DPGS,
    0, () => DescribePatchGroupStateRequest$, () => DescribePatchGroupStateResult$
];
var DescribePatchProperties$ = [9, n0, _DPP,
    0, () => DescribePatchPropertiesRequest$, () => DescribePatchPropertiesResult$
];
var DescribeSessions$ = [9, n0, _DSes,
    0, () => DescribeSessionsRequest$, () => DescribeSessionsResponse$
];
var DisassociateOpsItemRelatedItem$ = [9, n0, _DOIRI,
    0, () => DisassociateOpsItemRelatedItemRequest$, () => DisassociateOpsItemRelatedItemResponse$
];
var GetAccessToken$ = [9, n0, _GAT,
    0, () => GetAccessTokenRequest$, () => GetAccessTokenResponse$
];
var GetAutomationExecution$ = [9, n0, _GAE,
    0, () => GetAutomationExecutionRequest$, () => GetAutomationExecutionResult$
];
var GetCalendarState$ = [9, n0, _GCS,
    0, () => GetCalendarStateRequest$, () => GetCalendarStateResponse$
];
var GetCloudConnector$ = [9, n0, _GCC,
    0, () => GetCloudConnectorRequest$, () => GetCloudConnectorResult$
];
var GetCommandInvocation$ = [9, n0, _GCI,
    0, () => GetCommandInvocationRequest$, () => GetCommandInvocationResult$
];
var GetConnectionStatus$ = [9, n0, _GCSe,
    0, () => GetConnectionStatusRequest$, () => GetConnectionStatusResponse$
];
var GetDefaultPatchBaseline$ = [9, n0, _GDPB,
    0, () => GetDefaultPatchBaselineRequest$, () => GetDefaultPatchBaselineResult$
];
var GetDeployablePatchSnapshotForInstance$ = [9, n0, _GDPSFI,
    0, () => GetDeployablePatchSnapshotForInstanceRequest$, () => GetDeployablePatchSnapshotForInstanceResult$
];
var GetDocument$ = [9, n0, _GD,
    0, () => GetDocumentRequest$, () => GetDocumentResult$
];
var GetExecutionPreview$ = [9, n0, _GEP,
    0, () => GetExecutionPreviewRequest$, () => GetExecutionPreviewResponse$
];
var GetInventory$ = [9, n0, _GI,
    0, () => GetInventoryRequest$, () => GetInventoryResult$
];
var GetInventorySchema$ = [9, n0, _GIS,
    0, () => GetInventorySchemaRequest$, () => GetInventorySchemaResult$
];
var GetMaintenanceWindow$ = [9, n0, _GMW,
    0, () => GetMaintenanceWindowRequest$, () => GetMaintenanceWindowResult$
];
var GetMaintenanceWindowExecution$ = [9, n0, _GMWE,
    0, () => GetMaintenanceWindowExecutionRequest$, () => GetMaintenanceWindowExecutionResult$
];
var GetMaintenanceWindowExecutionTask$ = [9, n0, _GMWET,
    0, () => GetMaintenanceWindowExecutionTaskRequest$, () => GetMaintenanceWindowExecutionTaskResult$
];
var GetMaintenanceWindowExecutionTaskInvocation$ = [9, n0, _GMWETI,
    0, () => GetMaintenanceWindowExecutionTaskInvocationRequest$, () => GetMaintenanceWindowExecutionTaskInvocationResult$
];
var GetMaintenanceWindowTask$ = [9, n0, _GMWT,
    0, () => GetMaintenanceWindowTaskRequest$, () => GetMaintenanceWindowTaskResult$
];
var GetOpsItem$ = [9, n0, _GOI,
    0, () => GetOpsItemRequest$, () => GetOpsItemResponse$
];
var GetOpsMetadata$ = [9, n0, _GOM,
    0, () => GetOpsMetadataRequest$, () => GetOpsMetadataResult$
];
var GetOpsSummary$ = [9, n0, _GOS,
    0, () => GetOpsSummaryRequest$, () => GetOpsSummaryResult$
];
var GetParameter$ = [9, n0, _GPe,
    0, () => GetParameterRequest$, () => GetParameterResult$
];
var GetParameterHistory$ = [9, n0, _GPH,
    0, () => GetParameterHistoryRequest$, () => GetParameterHistoryResult$
];
var GetParameters$ = [9, n0, _GPet,
    0, () => GetParametersRequest$, () => GetParametersResult$
];
var GetParametersByPath$ = [9, n0, _GPBP,
    0, () => GetParametersByPathRequest$, () => GetParametersByPathResult$
];
var GetPatchBaseline$ = [9, n0, _GPB,
    0, () => GetPatchBaselineRequest$, () => GetPatchBaselineResult$
];
var GetPatchBaselineForPatchGroup$ = [9, n0, _GPBFPG,
    0, () => GetPatchBaselineForPatchGroupRequest$, () => GetPatchBaselineForPatchGroupResult$
];
var GetResourcePolicies$ = [9, n0, _GRP,
    0, () => GetResourcePoliciesRequest$, () => GetResourcePoliciesResponse$
];
var GetServiceSetting$ = [9, n0, _GSS,
    0, () => GetServiceSettingRequest$, () => GetServiceSettingResult$
];
var LabelParameterVersion$ = [9, n0, _LPV,
    0, () => LabelParameterVersionRequest$, () => LabelParameterVersionResult$
];
var ListAssociations$ = [9, n0, _LA,
    0, () => ListAssociationsRequest$, () => ListAssociationsResult$
];
var ListAssociationVersions$ = [9, n0, _LAV,
    0, () => ListAssociationVersionsRequest$, () => ListAssociationVersionsResult$
];
var ListCloudConnectors$ = [9, n0, _LCC,
    0, () => ListCloudConnectorsRequest$, () => ListCloudConnectorsResult$
];
var ListCommandInvocations$ = [9, n0, _LCI,
    0, () => ListCommandInvocationsRequest$, () => ListCommandInvocationsResult$
];
var ListCommands$ = [9, n0, _LCi,
    0, () => ListCommandsRequest$, () => ListCommandsResult$
];
var ListComplianceItems$ = [9, n0, _LCIi,
    0, () => ListComplianceItemsRequest$, () => ListComplianceItemsResult$
];
var ListComplianceSummaries$ = [9, n0, _LCS,
    0, () => ListComplianceSummariesRequest$, () => ListComplianceSummariesResult$
];
var ListDocumentMetadataHistory$ = [9, n0, _LDMH,
    0, () => ListDocumentMetadataHistoryRequest$, () => ListDocumentMetadataHistoryResponse$
];
var ListDocuments$ = [9, n0, _LD,
    0, () => ListDocumentsRequest$, () => ListDocumentsResult$
];
var ListDocumentVersions$ = [9, n0, _LDV,
    0, () => ListDocumentVersionsRequest$, () => ListDocumentVersionsResult$
];
var ListInventoryEntries$ = [9, n0, _LIE,
    0, () => ListInventoryEntriesRequest$, () => ListInventoryEntriesResult$
];
var ListNodes$ = [9, n0, _LN,
    0, () => ListNodesRequest$, () => ListNodesResult$
];
var ListNodesSummary$ = [9, n0, _LNS,
    0, () => ListNodesSummaryRequest$, () => ListNodesSummaryResult$
];
var ListOpsItemEvents$ = [9, n0, _LOIE,
    0, () => ListOpsItemEventsRequest$, () => ListOpsItemEventsResponse$
];
var ListOpsItemRelatedItems$ = [9, n0, _LOIRI,
    0, () => ListOpsItemRelatedItemsRequest$, () => ListOpsItemRelatedItemsResponse$
];
var ListOpsMetadata$ = [9, n0, _LOM,
    0, () => ListOpsMetadataRequest$, () => ListOpsMetadataResult$
];
var ListResourceComplianceSummaries$ = [9, n0, _LRCS,
    0, () => ListResourceComplianceSummariesRequest$, () => ListResourceComplianceSummariesResult$
];
var ListResourceDataSync$ = [9, n0, _LRDS,
    0, () => ListResourceDataSyncRequest$, () => ListResourceDataSyncResult$
];
var ListTagsForResource$ = [9, n0, _LTFR,
    0, () => ListTagsForResourceRequest$, () => ListTagsForResourceResult$
];
var ModifyDocumentPermission$ = [9, n0, _MDP,
    0, () => ModifyDocumentPermissionRequest$, () => ModifyDocumentPermissionResponse$
];
var PutComplianceItems$ = [9, n0, _PCI,
    0, () => PutComplianceItemsRequest$, () => PutComplianceItemsResult$
];
var PutInventory$ = [9, n0, _PIu,
    0, () => PutInventoryRequest$, () => PutInventoryResult$
];
var PutParameter$ = [9, n0, _PP,
    0, () => PutParameterRequest$, () => PutParameterResult$
];
var PutResourcePolicy$ = [9, n0, _PRP,
    0, () => PutResourcePolicyRequest$, () => PutResourcePolicyResponse$
];
var RegisterDefaultHostManagementConfiguration$ = [9, n0, _RDHMC,
    2, () => RegisterDefaultHostManagementConfigurationRequest$, () => RegisterDefaultHostManagementConfigurationResult$
];
var RegisterDefaultPatchBaseline$ = [9, n0, _RDPB,
    0, () => RegisterDefaultPatchBaselineRequest$, () => RegisterDefaultPatchBaselineResult$
];
var RegisterPatchBaselineForPatchGroup$ = [9, n0, _RPBFPG,
    0, () => RegisterPatchBaselineForPatchGroupRequest$, () => RegisterPatchBaselineForPatchGroupResult$
];
var RegisterTargetWithMaintenanceWindow$ = [9, n0, _RTWMW,
    0, () => RegisterTargetWithMaintenanceWindowRequest$, () => RegisterTargetWithMaintenanceWindowResult$
];
var RegisterTaskWithMaintenanceWindow$ = [9, n0, _RTWMWe,
    0, () => RegisterTaskWithMaintenanceWindowRequest$, () => RegisterTaskWithMaintenanceWindowResult$
];
var RemoveTagsFromResource$ = [9, n0, _RTFR,
    0, () => RemoveTagsFromResourceRequest$, () => RemoveTagsFromResourceResult$
];
var ResetServiceSetting$ = [9, n0, _RSS,
    0, () => ResetServiceSettingRequest$, () => ResetServiceSettingResult$
];
var ResumeSession$ = [9, n0, _RSe,
    0, () => ResumeSessionRequest$, () => ResumeSessionResponse$
];
var SendAutomationSignal$ = [9, n0, _SAS,
    0, () => SendAutomationSignalRequest$, () => SendAutomationSignalResult$
];
var SendCommand$ = [9, n0, _SCe,
    0, () => SendCommandRequest$, () => SendCommandResult$
];
var StartAccessRequest$ = [9, n0, _SAR,
    0, () => StartAccessRequestRequest$, () => StartAccessRequestResponse$
];
var StartAssociationsOnce$ = [9, n0, _SAO,
    0, () => StartAssociationsOnceRequest$, () => StartAssociationsOnceResult$
];
var StartAutomationExecution$ = [9, n0, _SAEt,
    0, () => StartAutomationExecutionRequest$, () => StartAutomationExecutionResult$
];
var StartChangeRequestExecution$ = [9, n0, _SCRE,
    0, () => StartChangeRequestExecutionRequest$, () => StartChangeRequestExecutionResult$
];
var StartExecutionPreview$ = [9, n0, _SEP,
    0, () => StartExecutionPreviewRequest$, () => StartExecutionPreviewResponse$
];
var StartSession$ = [9, n0, _SSta,
    0, () => StartSessionRequest$, () => StartSessionResponse$
];
var StopAutomationExecution$ = [9, n0, _SAEto,
    0, () => StopAutomationExecutionRequest$, () => StopAutomationExecutionResult$
];
var TerminateSession$ = [9, n0, _TSe,
    0, () => TerminateSessionRequest$, () => TerminateSessionResponse$
];
var UnlabelParameterVersion$ = [9, n0, _UPV,
    0, () => UnlabelParameterVersionRequest$, () => UnlabelParameterVersionResult$
];
var UpdateAssociation$ = [9, n0, _UAp,
    0, () => UpdateAssociationRequest$, () => UpdateAssociationResult$
];
var UpdateAssociationStatus$ = [9, n0, _UAS,
    0, () => UpdateAssociationStatusRequest$, () => UpdateAssociationStatusResult$
];
var UpdateCloudConnector$ = [9, n0, _UCC,
    0, () => UpdateCloudConnectorRequest$, () => UpdateCloudConnectorResult$
];
var UpdateDocument$ = [9, n0, _UD,
    0, () => UpdateDocumentRequest$, () => UpdateDocumentResult$
];
var UpdateDocumentDefaultVersion$ = [9, n0, _UDDV,
    0, () => UpdateDocumentDefaultVersionRequest$, () => UpdateDocumentDefaultVersionResult$
];
var UpdateDocumentMetadata$ = [9, n0, _UDM,
    0, () => UpdateDocumentMetadataRequest$, () => UpdateDocumentMetadataResponse$
];
var UpdateMaintenanceWindow$ = [9, n0, _UMW,
    0, () => UpdateMaintenanceWindowRequest$, () => UpdateMaintenanceWindowResult$
];
var UpdateMaintenanceWindowTarget$ = [9, n0, _UMWT,
    0, () => UpdateMaintenanceWindowTargetRequest$, () => UpdateMaintenanceWindowTargetResult$
];
var UpdateMaintenanceWindowTask$ = [9, n0, _UMWTp,
    0, () => UpdateMaintenanceWindowTaskRequest$, () => UpdateMaintenanceWindowTaskResult$
];
var UpdateManagedInstanceRole$ = [9, n0, _UMIR,
    0, () => UpdateManagedInstanceRoleRequest$, () => UpdateManagedInstanceRoleResult$
];
var UpdateOpsItem$ = [9, n0, _UOI,
    0, () => UpdateOpsItemRequest$, () => UpdateOpsItemResponse$
];
var UpdateOpsMetadata$ = [9, n0, _UOM,
    0, () => UpdateOpsMetadataRequest$, () => UpdateOpsMetadataResult$
];
var UpdatePatchBaseline$ = [9, n0, _UPB,
    0, () => UpdatePatchBaselineRequest$, () => UpdatePatchBaselineResult$
];
var UpdateResourceDataSync$ = [9, n0, _URDS,
    0, () => UpdateResourceDataSyncRequest$, () => UpdateResourceDataSyncResult$
];
var UpdateServiceSetting$ = [9, n0, _USS,
    0, () => UpdateServiceSettingRequest$, () => UpdateServiceSettingResult$
];
var ValidateCloudConnector$ = [9, n0, _VCC,
    0, () => ValidateCloudConnectorRequest$, () => ValidateCloudConnectorResult$
];

const getRuntimeConfig$1 = (config) => {
    return {
        apiVersion: "2014-11-06",
        base64Decoder: config?.base64Decoder ?? fromBase64,
        base64Encoder: config?.base64Encoder ?? toBase64,
        disableHostPrefix: config?.disableHostPrefix ?? false,
        endpointProvider: config?.endpointProvider ?? defaultEndpointResolver,
        extensions: config?.extensions ?? [],
        httpAuthSchemeProvider: config?.httpAuthSchemeProvider ?? defaultSSMHttpAuthSchemeProvider,
        httpAuthSchemes: config?.httpAuthSchemes ?? [
            {
                schemeId: "aws.auth#sigv4",
                identityProvider: (ipc) => ipc.getIdentityProvider("aws.auth#sigv4"),
                signer: new AwsSdkSigV4Signer(),
            },
        ],
        logger: config?.logger ?? new NoOpLogger(),
        protocol: config?.protocol ?? AwsJson1_1Protocol,
        protocolSettings: config?.protocolSettings ?? {
            defaultNamespace: "com.amazonaws.ssm",
            errorTypeRegistries,
            xmlNamespace: "http://ssm.amazonaws.com/doc/2014-11-06/",
            version: "2014-11-06",
            serviceTarget: "AmazonSSM",
        },
        serviceId: config?.serviceId ?? "SSM",
        sha256: config?.sha256 ?? Sha256,
        urlParser: config?.urlParser ?? parseUrl,
        utf8Decoder: config?.utf8Decoder ?? fromUtf8,
        utf8Encoder: config?.utf8Encoder ?? toUtf8,
    };
};

const getRuntimeConfig = (config) => {
    emitWarningIfUnsupportedVersion(process.version);
    const defaultsMode = resolveDefaultsModeConfig(config);
    const defaultConfigProvider = () => defaultsMode().then(loadConfigsForDefaultMode);
    const clientSharedValues = getRuntimeConfig$1(config);
    emitWarningIfUnsupportedVersion$1(process.version);
    const loaderConfig = {
        profile: config?.profile,
        logger: clientSharedValues.logger,
    };
    return {
        ...clientSharedValues,
        ...config,
        runtime: "node",
        defaultsMode,
        authSchemePreference: config?.authSchemePreference ?? loadConfig(NODE_AUTH_SCHEME_PREFERENCE_OPTIONS, loaderConfig),
        bodyLengthChecker: config?.bodyLengthChecker ?? calculateBodyLength,
        credentialDefaultProvider: config?.credentialDefaultProvider ?? defaultProvider,
        defaultSocketTimeout: getDefaultSocketTimeout(config?.requestHandler, 900_000),
        defaultUserAgentProvider: config?.defaultUserAgentProvider ?? createDefaultUserAgentProvider({ serviceId: clientSharedValues.serviceId, clientVersion: packageInfo.version }),
        maxAttempts: config?.maxAttempts ?? loadConfig(NODE_MAX_ATTEMPT_CONFIG_OPTIONS, config),
        region: config?.region ?? loadConfig(NODE_REGION_CONFIG_OPTIONS, { ...NODE_REGION_CONFIG_FILE_OPTIONS, ...loaderConfig }),
        requestHandler: NodeHttpHandler.create(config?.requestHandler ?? defaultConfigProvider),
        retryMode: config?.retryMode ??
            loadConfig({
                ...NODE_RETRY_MODE_CONFIG_OPTIONS,
                default: async () => (await defaultConfigProvider()).retryMode || DEFAULT_RETRY_MODE,
            }, config),
        streamCollector: config?.streamCollector ?? streamCollector,
        useDualstackEndpoint: config?.useDualstackEndpoint ?? loadConfig(NODE_USE_DUALSTACK_ENDPOINT_CONFIG_OPTIONS, loaderConfig),
        useFipsEndpoint: config?.useFipsEndpoint ?? loadConfig(NODE_USE_FIPS_ENDPOINT_CONFIG_OPTIONS, loaderConfig),
        userAgentAppId: config?.userAgentAppId ?? loadConfig(NODE_APP_ID_CONFIG_OPTIONS, loaderConfig),
    };
};

const getHttpAuthExtensionConfiguration = (runtimeConfig) => {
    const _httpAuthSchemes = runtimeConfig.httpAuthSchemes;
    let _httpAuthSchemeProvider = runtimeConfig.httpAuthSchemeProvider;
    let _credentials = runtimeConfig.credentials;
    return {
        setHttpAuthScheme(httpAuthScheme) {
            const index = _httpAuthSchemes.findIndex((scheme) => scheme.schemeId === httpAuthScheme.schemeId);
            if (index === -1) {
                _httpAuthSchemes.push(httpAuthScheme);
            }
            else {
                _httpAuthSchemes.splice(index, 1, httpAuthScheme);
            }
        },
        httpAuthSchemes() {
            return _httpAuthSchemes;
        },
        setHttpAuthSchemeProvider(httpAuthSchemeProvider) {
            _httpAuthSchemeProvider = httpAuthSchemeProvider;
        },
        httpAuthSchemeProvider() {
            return _httpAuthSchemeProvider;
        },
        setCredentials(credentials) {
            _credentials = credentials;
        },
        credentials() {
            return _credentials;
        },
    };
};
const resolveHttpAuthRuntimeConfig = (config) => {
    return {
        httpAuthSchemes: config.httpAuthSchemes(),
        httpAuthSchemeProvider: config.httpAuthSchemeProvider(),
        credentials: config.credentials(),
    };
};

const resolveRuntimeExtensions = (runtimeConfig, extensions) => {
    const extensionConfiguration = Object.assign(getAwsRegionExtensionConfiguration(runtimeConfig), getDefaultExtensionConfiguration(runtimeConfig), getHttpHandlerExtensionConfiguration(runtimeConfig), getHttpAuthExtensionConfiguration(runtimeConfig));
    extensions.forEach((extension) => extension.configure(extensionConfiguration));
    return Object.assign(runtimeConfig, resolveAwsRegionExtensionConfiguration(extensionConfiguration), resolveDefaultRuntimeConfig(extensionConfiguration), resolveHttpHandlerRuntimeConfig(extensionConfiguration), resolveHttpAuthRuntimeConfig(extensionConfiguration));
};

class SSMClient extends Client {
    config;
    constructor(...[configuration]) {
        const _config_0 = getRuntimeConfig(configuration || {});
        super(_config_0);
        this.initConfig = _config_0;
        const _config_1 = resolveClientEndpointParameters(_config_0);
        const _config_2 = resolveUserAgentConfig(_config_1);
        const _config_3 = resolveRetryConfig(_config_2);
        const _config_4 = resolveRegionConfig(_config_3);
        const _config_5 = resolveHostHeaderConfig(_config_4);
        const _config_6 = resolveEndpointConfig(_config_5);
        const _config_7 = resolveHttpAuthSchemeConfig(_config_6);
        const _config_8 = resolveRuntimeExtensions(_config_7, configuration?.extensions || []);
        this.config = _config_8;
        this.middlewareStack.use(getSchemaSerdePlugin(this.config));
        this.middlewareStack.use(getUserAgentPlugin(this.config));
        this.middlewareStack.use(getRetryPlugin(this.config));
        this.middlewareStack.use(getContentLengthPlugin(this.config));
        this.middlewareStack.use(getHostHeaderPlugin(this.config));
        this.middlewareStack.use(getLoggerPlugin(this.config));
        this.middlewareStack.use(getRecursionDetectionPlugin(this.config));
        this.middlewareStack.use(getHttpAuthSchemeEndpointRuleSetPlugin(this.config, {
            httpAuthSchemeParametersProvider: defaultSSMHttpAuthSchemeParametersProvider,
            identityProviderConfigProvider: async (config) => new DefaultIdentityProviderConfig({
                "aws.auth#sigv4": config.credentials,
            }),
        }));
        this.middlewareStack.use(getHttpSigningPlugin(this.config));
    }
    destroy() {
        super.destroy();
    }
}

const command = makeBuilder(commonParams, "AmazonSSM", "SSMClient", getEndpointPlugin);
const _ep0 = {};
const _mw0 = (Command, cs, config, o) => [];

class AddTagsToResourceCommand extends command(_ep0, _mw0, "AddTagsToResource", AddTagsToResource$) {
}

class AssociateOpsItemRelatedItemCommand extends command(_ep0, _mw0, "AssociateOpsItemRelatedItem", AssociateOpsItemRelatedItem$) {
}

class CancelCommandCommand extends command(_ep0, _mw0, "CancelCommand", CancelCommand$) {
}

class CancelMaintenanceWindowExecutionCommand extends command(_ep0, _mw0, "CancelMaintenanceWindowExecution", CancelMaintenanceWindowExecution$) {
}

class CreateActivationCommand extends command(_ep0, _mw0, "CreateActivation", CreateActivation$) {
}

class CreateAssociationBatchCommand extends command(_ep0, _mw0, "CreateAssociationBatch", CreateAssociationBatch$) {
}

class CreateAssociationCommand extends command(_ep0, _mw0, "CreateAssociation", CreateAssociation$) {
}

class CreateCloudConnectorCommand extends command(_ep0, _mw0, "CreateCloudConnector", CreateCloudConnector$) {
}

class CreateDocumentCommand extends command(_ep0, _mw0, "CreateDocument", CreateDocument$) {
}

class CreateMaintenanceWindowCommand extends command(_ep0, _mw0, "CreateMaintenanceWindow", CreateMaintenanceWindow$) {
}

class CreateOpsItemCommand extends command(_ep0, _mw0, "CreateOpsItem", CreateOpsItem$) {
}

class CreateOpsMetadataCommand extends command(_ep0, _mw0, "CreateOpsMetadata", CreateOpsMetadata$) {
}

class CreatePatchBaselineCommand extends command(_ep0, _mw0, "CreatePatchBaseline", CreatePatchBaseline$) {
}

class CreateResourceDataSyncCommand extends command(_ep0, _mw0, "CreateResourceDataSync", CreateResourceDataSync$) {
}

class DeleteActivationCommand extends command(_ep0, _mw0, "DeleteActivation", DeleteActivation$) {
}

class DeleteAssociationCommand extends command(_ep0, _mw0, "DeleteAssociation", DeleteAssociation$) {
}

class DeleteCloudConnectorCommand extends command(_ep0, _mw0, "DeleteCloudConnector", DeleteCloudConnector$) {
}

class DeleteDocumentCommand extends command(_ep0, _mw0, "DeleteDocument", DeleteDocument$) {
}

class DeleteInventoryCommand extends command(_ep0, _mw0, "DeleteInventory", DeleteInventory$) {
}

class DeleteMaintenanceWindowCommand extends command(_ep0, _mw0, "DeleteMaintenanceWindow", DeleteMaintenanceWindow$) {
}

class DeleteOpsItemCommand extends command(_ep0, _mw0, "DeleteOpsItem", DeleteOpsItem$) {
}

class DeleteOpsMetadataCommand extends command(_ep0, _mw0, "DeleteOpsMetadata", DeleteOpsMetadata$) {
}

class DeleteParameterCommand extends command(_ep0, _mw0, "DeleteParameter", DeleteParameter$) {
}

class DeleteParametersCommand extends command(_ep0, _mw0, "DeleteParameters", DeleteParameters$) {
}

class DeletePatchBaselineCommand extends command(_ep0, _mw0, "DeletePatchBaseline", DeletePatchBaseline$) {
}

class DeleteResourceDataSyncCommand extends command(_ep0, _mw0, "DeleteResourceDataSync", DeleteResourceDataSync$) {
}

class DeleteResourcePolicyCommand extends command(_ep0, _mw0, "DeleteResourcePolicy", DeleteResourcePolicy$) {
}

class DeregisterDefaultHostManagementConfigurationCommand extends command(_ep0, _mw0, "DeregisterDefaultHostManagementConfiguration", DeregisterDefaultHostManagementConfiguration$) {
}

class DeregisterManagedInstanceCommand extends command(_ep0, _mw0, "DeregisterManagedInstance", DeregisterManagedInstance$) {
}

class DeregisterPatchBaselineForPatchGroupCommand extends command(_ep0, _mw0, "DeregisterPatchBaselineForPatchGroup", DeregisterPatchBaselineForPatchGroup$) {
}

class DeregisterTargetFromMaintenanceWindowCommand extends command(_ep0, _mw0, "DeregisterTargetFromMaintenanceWindow", DeregisterTargetFromMaintenanceWindow$) {
}

class DeregisterTaskFromMaintenanceWindowCommand extends command(_ep0, _mw0, "DeregisterTaskFromMaintenanceWindow", DeregisterTaskFromMaintenanceWindow$) {
}

class DescribeActivationsCommand extends command(_ep0, _mw0, "DescribeActivations", DescribeActivations$) {
}

class DescribeAssociationCommand extends command(_ep0, _mw0, "DescribeAssociation", DescribeAssociation$) {
}

class DescribeAssociationExecutionsCommand extends command(_ep0, _mw0, "DescribeAssociationExecutions", DescribeAssociationExecutions$) {
}

class DescribeAssociationExecutionTargetsCommand extends command(_ep0, _mw0, "DescribeAssociationExecutionTargets", DescribeAssociationExecutionTargets$) {
}

class DescribeAutomationExecutionsCommand extends command(_ep0, _mw0, "DescribeAutomationExecutions", DescribeAutomationExecutions$) {
}

class DescribeAutomationStepExecutionsCommand extends command(_ep0, _mw0, "DescribeAutomationStepExecutions", DescribeAutomationStepExecutions$) {
}

class DescribeAvailablePatchesCommand extends command(_ep0, _mw0, "DescribeAvailablePatches", DescribeAvailablePatches$) {
}

class DescribeDocumentCommand extends command(_ep0, _mw0, "DescribeDocument", DescribeDocument$) {
}

class DescribeDocumentPermissionCommand extends command(_ep0, _mw0, "DescribeDocumentPermission", DescribeDocumentPermission$) {
}

class DescribeEffectiveInstanceAssociationsCommand extends command(_ep0, _mw0, "DescribeEffectiveInstanceAssociations", DescribeEffectiveInstanceAssociations$) {
}

class DescribeEffectivePatchesForPatchBaselineCommand extends command(_ep0, _mw0, "DescribeEffectivePatchesForPatchBaseline", DescribeEffectivePatchesForPatchBaseline$) {
}

class DescribeInstanceAssociationsStatusCommand extends command(_ep0, _mw0, "DescribeInstanceAssociationsStatus", DescribeInstanceAssociationsStatus$) {
}

class DescribeInstanceInformationCommand extends command(_ep0, _mw0, "DescribeInstanceInformation", DescribeInstanceInformation$) {
}

class DescribeInstancePatchesCommand extends command(_ep0, _mw0, "DescribeInstancePatches", DescribeInstancePatches$) {
}

class DescribeInstancePatchStatesCommand extends command(_ep0, _mw0, "DescribeInstancePatchStates", DescribeInstancePatchStates$) {
}

class DescribeInstancePatchStatesForPatchGroupCommand extends command(_ep0, _mw0, "DescribeInstancePatchStatesForPatchGroup", DescribeInstancePatchStatesForPatchGroup$) {
}

class DescribeInstancePropertiesCommand extends command(_ep0, _mw0, "DescribeInstanceProperties", DescribeInstanceProperties$) {
}

class DescribeInventoryDeletionsCommand extends command(_ep0, _mw0, "DescribeInventoryDeletions", DescribeInventoryDeletions$) {
}

class DescribeMaintenanceWindowExecutionsCommand extends command(_ep0, _mw0, "DescribeMaintenanceWindowExecutions", DescribeMaintenanceWindowExecutions$) {
}

class DescribeMaintenanceWindowExecutionTaskInvocationsCommand extends command(_ep0, _mw0, "DescribeMaintenanceWindowExecutionTaskInvocations", DescribeMaintenanceWindowExecutionTaskInvocations$) {
}

class DescribeMaintenanceWindowExecutionTasksCommand extends command(_ep0, _mw0, "DescribeMaintenanceWindowExecutionTasks", DescribeMaintenanceWindowExecutionTasks$) {
}

class DescribeMaintenanceWindowScheduleCommand extends command(_ep0, _mw0, "DescribeMaintenanceWindowSchedule", DescribeMaintenanceWindowSchedule$) {
}

class DescribeMaintenanceWindowsCommand extends command(_ep0, _mw0, "DescribeMaintenanceWindows", DescribeMaintenanceWindows$) {
}

class DescribeMaintenanceWindowsForTargetCommand extends command(_ep0, _mw0, "DescribeMaintenanceWindowsForTarget", DescribeMaintenanceWindowsForTarget$) {
}

class DescribeMaintenanceWindowTargetsCommand extends command(_ep0, _mw0, "DescribeMaintenanceWindowTargets", DescribeMaintenanceWindowTargets$) {
}

class DescribeMaintenanceWindowTasksCommand extends command(_ep0, _mw0, "DescribeMaintenanceWindowTasks", DescribeMaintenanceWindowTasks$) {
}

class DescribeOpsItemsCommand extends command(_ep0, _mw0, "DescribeOpsItems", DescribeOpsItems$) {
}

class DescribeParametersCommand extends command(_ep0, _mw0, "DescribeParameters", DescribeParameters$) {
}

class DescribePatchBaselinesCommand extends command(_ep0, _mw0, "DescribePatchBaselines", DescribePatchBaselines$) {
}

class DescribePatchGroupsCommand extends command(_ep0, _mw0, "DescribePatchGroups", DescribePatchGroups$) {
}

class DescribePatchGroupStateCommand extends command(_ep0, _mw0, "DescribePatchGroupState", DescribePatchGroupState$) {
}

class DescribePatchPropertiesCommand extends command(_ep0, _mw0, "DescribePatchProperties", DescribePatchProperties$) {
}

class DescribeSessionsCommand extends command(_ep0, _mw0, "DescribeSessions", DescribeSessions$) {
}

class DisassociateOpsItemRelatedItemCommand extends command(_ep0, _mw0, "DisassociateOpsItemRelatedItem", DisassociateOpsItemRelatedItem$) {
}

class GetAccessTokenCommand extends command(_ep0, _mw0, "GetAccessToken", GetAccessToken$) {
}

class GetAutomationExecutionCommand extends command(_ep0, _mw0, "GetAutomationExecution", GetAutomationExecution$) {
}

class GetCalendarStateCommand extends command(_ep0, _mw0, "GetCalendarState", GetCalendarState$) {
}

class GetCloudConnectorCommand extends command(_ep0, _mw0, "GetCloudConnector", GetCloudConnector$) {
}

class GetCommandInvocationCommand extends command(_ep0, _mw0, "GetCommandInvocation", GetCommandInvocation$) {
}

class GetConnectionStatusCommand extends command(_ep0, _mw0, "GetConnectionStatus", GetConnectionStatus$) {
}

class GetDefaultPatchBaselineCommand extends command(_ep0, _mw0, "GetDefaultPatchBaseline", GetDefaultPatchBaseline$) {
}

class GetDeployablePatchSnapshotForInstanceCommand extends command(_ep0, _mw0, "GetDeployablePatchSnapshotForInstance", GetDeployablePatchSnapshotForInstance$) {
}

class GetDocumentCommand extends command(_ep0, _mw0, "GetDocument", GetDocument$) {
}

class GetExecutionPreviewCommand extends command(_ep0, _mw0, "GetExecutionPreview", GetExecutionPreview$) {
}

class GetInventoryCommand extends command(_ep0, _mw0, "GetInventory", GetInventory$) {
}

class GetInventorySchemaCommand extends command(_ep0, _mw0, "GetInventorySchema", GetInventorySchema$) {
}

class GetMaintenanceWindowCommand extends command(_ep0, _mw0, "GetMaintenanceWindow", GetMaintenanceWindow$) {
}

class GetMaintenanceWindowExecutionCommand extends command(_ep0, _mw0, "GetMaintenanceWindowExecution", GetMaintenanceWindowExecution$) {
}

class GetMaintenanceWindowExecutionTaskCommand extends command(_ep0, _mw0, "GetMaintenanceWindowExecutionTask", GetMaintenanceWindowExecutionTask$) {
}

class GetMaintenanceWindowExecutionTaskInvocationCommand extends command(_ep0, _mw0, "GetMaintenanceWindowExecutionTaskInvocation", GetMaintenanceWindowExecutionTaskInvocation$) {
}

class GetMaintenanceWindowTaskCommand extends command(_ep0, _mw0, "GetMaintenanceWindowTask", GetMaintenanceWindowTask$) {
}

class GetOpsItemCommand extends command(_ep0, _mw0, "GetOpsItem", GetOpsItem$) {
}

class GetOpsMetadataCommand extends command(_ep0, _mw0, "GetOpsMetadata", GetOpsMetadata$) {
}

class GetOpsSummaryCommand extends command(_ep0, _mw0, "GetOpsSummary", GetOpsSummary$) {
}

class GetParameterCommand extends command(_ep0, _mw0, "GetParameter", GetParameter$) {
}

class GetParameterHistoryCommand extends command(_ep0, _mw0, "GetParameterHistory", GetParameterHistory$) {
}

class GetParametersByPathCommand extends command(_ep0, _mw0, "GetParametersByPath", GetParametersByPath$) {
}

class GetParametersCommand extends command(_ep0, _mw0, "GetParameters", GetParameters$) {
}

class GetPatchBaselineCommand extends command(_ep0, _mw0, "GetPatchBaseline", GetPatchBaseline$) {
}

class GetPatchBaselineForPatchGroupCommand extends command(_ep0, _mw0, "GetPatchBaselineForPatchGroup", GetPatchBaselineForPatchGroup$) {
}

class GetResourcePoliciesCommand extends command(_ep0, _mw0, "GetResourcePolicies", GetResourcePolicies$) {
}

class GetServiceSettingCommand extends command(_ep0, _mw0, "GetServiceSetting", GetServiceSetting$) {
}

class LabelParameterVersionCommand extends command(_ep0, _mw0, "LabelParameterVersion", LabelParameterVersion$) {
}

class ListAssociationsCommand extends command(_ep0, _mw0, "ListAssociations", ListAssociations$) {
}

class ListAssociationVersionsCommand extends command(_ep0, _mw0, "ListAssociationVersions", ListAssociationVersions$) {
}

class ListCloudConnectorsCommand extends command(_ep0, _mw0, "ListCloudConnectors", ListCloudConnectors$) {
}

class ListCommandInvocationsCommand extends command(_ep0, _mw0, "ListCommandInvocations", ListCommandInvocations$) {
}

class ListCommandsCommand extends command(_ep0, _mw0, "ListCommands", ListCommands$) {
}

class ListComplianceItemsCommand extends command(_ep0, _mw0, "ListComplianceItems", ListComplianceItems$) {
}

class ListComplianceSummariesCommand extends command(_ep0, _mw0, "ListComplianceSummaries", ListComplianceSummaries$) {
}

class ListDocumentMetadataHistoryCommand extends command(_ep0, _mw0, "ListDocumentMetadataHistory", ListDocumentMetadataHistory$) {
}

class ListDocumentsCommand extends command(_ep0, _mw0, "ListDocuments", ListDocuments$) {
}

class ListDocumentVersionsCommand extends command(_ep0, _mw0, "ListDocumentVersions", ListDocumentVersions$) {
}

class ListInventoryEntriesCommand extends command(_ep0, _mw0, "ListInventoryEntries", ListInventoryEntries$) {
}

class ListNodesCommand extends command(_ep0, _mw0, "ListNodes", ListNodes$) {
}

class ListNodesSummaryCommand extends command(_ep0, _mw0, "ListNodesSummary", ListNodesSummary$) {
}

class ListOpsItemEventsCommand extends command(_ep0, _mw0, "ListOpsItemEvents", ListOpsItemEvents$) {
}

class ListOpsItemRelatedItemsCommand extends command(_ep0, _mw0, "ListOpsItemRelatedItems", ListOpsItemRelatedItems$) {
}

class ListOpsMetadataCommand extends command(_ep0, _mw0, "ListOpsMetadata", ListOpsMetadata$) {
}

class ListResourceComplianceSummariesCommand extends command(_ep0, _mw0, "ListResourceComplianceSummaries", ListResourceComplianceSummaries$) {
}

class ListResourceDataSyncCommand extends command(_ep0, _mw0, "ListResourceDataSync", ListResourceDataSync$) {
}

class ListTagsForResourceCommand extends command(_ep0, _mw0, "ListTagsForResource", ListTagsForResource$) {
}

class ModifyDocumentPermissionCommand extends command(_ep0, _mw0, "ModifyDocumentPermission", ModifyDocumentPermission$) {
}

class PutComplianceItemsCommand extends command(_ep0, _mw0, "PutComplianceItems", PutComplianceItems$) {
}

class PutInventoryCommand extends command(_ep0, _mw0, "PutInventory", PutInventory$) {
}

class PutParameterCommand extends command(_ep0, _mw0, "PutParameter", PutParameter$) {
}

class PutResourcePolicyCommand extends command(_ep0, _mw0, "PutResourcePolicy", PutResourcePolicy$) {
}

class RegisterDefaultHostManagementConfigurationCommand extends command(_ep0, _mw0, "RegisterDefaultHostManagementConfiguration", RegisterDefaultHostManagementConfiguration$) {
}

class RegisterDefaultPatchBaselineCommand extends command(_ep0, _mw0, "RegisterDefaultPatchBaseline", RegisterDefaultPatchBaseline$) {
}

class RegisterPatchBaselineForPatchGroupCommand extends command(_ep0, _mw0, "RegisterPatchBaselineForPatchGroup", RegisterPatchBaselineForPatchGroup$) {
}

class RegisterTargetWithMaintenanceWindowCommand extends command(_ep0, _mw0, "RegisterTargetWithMaintenanceWindow", RegisterTargetWithMaintenanceWindow$) {
}

class RegisterTaskWithMaintenanceWindowCommand extends command(_ep0, _mw0, "RegisterTaskWithMaintenanceWindow", RegisterTaskWithMaintenanceWindow$) {
}

class RemoveTagsFromResourceCommand extends command(_ep0, _mw0, "RemoveTagsFromResource", RemoveTagsFromResource$) {
}

class ResetServiceSettingCommand extends command(_ep0, _mw0, "ResetServiceSetting", ResetServiceSetting$) {
}

class ResumeSessionCommand extends command(_ep0, _mw0, "ResumeSession", ResumeSession$) {
}

class SendAutomationSignalCommand extends command(_ep0, _mw0, "SendAutomationSignal", SendAutomationSignal$) {
}

class SendCommandCommand extends command(_ep0, _mw0, "SendCommand", SendCommand$) {
}

class StartAccessRequestCommand extends command(_ep0, _mw0, "StartAccessRequest", StartAccessRequest$) {
}

class StartAssociationsOnceCommand extends command(_ep0, _mw0, "StartAssociationsOnce", StartAssociationsOnce$) {
}

class StartAutomationExecutionCommand extends command(_ep0, _mw0, "StartAutomationExecution", StartAutomationExecution$) {
}

class StartChangeRequestExecutionCommand extends command(_ep0, _mw0, "StartChangeRequestExecution", StartChangeRequestExecution$) {
}

class StartExecutionPreviewCommand extends command(_ep0, _mw0, "StartExecutionPreview", StartExecutionPreview$) {
}

class StartSessionCommand extends command(_ep0, _mw0, "StartSession", StartSession$) {
}

class StopAutomationExecutionCommand extends command(_ep0, _mw0, "StopAutomationExecution", StopAutomationExecution$) {
}

class TerminateSessionCommand extends command(_ep0, _mw0, "TerminateSession", TerminateSession$) {
}

class UnlabelParameterVersionCommand extends command(_ep0, _mw0, "UnlabelParameterVersion", UnlabelParameterVersion$) {
}

class UpdateAssociationCommand extends command(_ep0, _mw0, "UpdateAssociation", UpdateAssociation$) {
}

class UpdateAssociationStatusCommand extends command(_ep0, _mw0, "UpdateAssociationStatus", UpdateAssociationStatus$) {
}

class UpdateCloudConnectorCommand extends command(_ep0, _mw0, "UpdateCloudConnector", UpdateCloudConnector$) {
}

class UpdateDocumentCommand extends command(_ep0, _mw0, "UpdateDocument", UpdateDocument$) {
}

class UpdateDocumentDefaultVersionCommand extends command(_ep0, _mw0, "UpdateDocumentDefaultVersion", UpdateDocumentDefaultVersion$) {
}

class UpdateDocumentMetadataCommand extends command(_ep0, _mw0, "UpdateDocumentMetadata", UpdateDocumentMetadata$) {
}

class UpdateMaintenanceWindowCommand extends command(_ep0, _mw0, "UpdateMaintenanceWindow", UpdateMaintenanceWindow$) {
}

class UpdateMaintenanceWindowTargetCommand extends command(_ep0, _mw0, "UpdateMaintenanceWindowTarget", UpdateMaintenanceWindowTarget$) {
}

class UpdateMaintenanceWindowTaskCommand extends command(_ep0, _mw0, "UpdateMaintenanceWindowTask", UpdateMaintenanceWindowTask$) {
}

class UpdateManagedInstanceRoleCommand extends command(_ep0, _mw0, "UpdateManagedInstanceRole", UpdateManagedInstanceRole$) {
}

class UpdateOpsItemCommand extends command(_ep0, _mw0, "UpdateOpsItem", UpdateOpsItem$) {
}

class UpdateOpsMetadataCommand extends command(_ep0, _mw0, "UpdateOpsMetadata", UpdateOpsMetadata$) {
}

class UpdatePatchBaselineCommand extends command(_ep0, _mw0, "UpdatePatchBaseline", UpdatePatchBaseline$) {
}

class UpdateResourceDataSyncCommand extends command(_ep0, _mw0, "UpdateResourceDataSync", UpdateResourceDataSync$) {
}

class UpdateServiceSettingCommand extends command(_ep0, _mw0, "UpdateServiceSetting", UpdateServiceSetting$) {
}

class ValidateCloudConnectorCommand extends command(_ep0, _mw0, "ValidateCloudConnector", ValidateCloudConnector$) {
}

const paginateDescribeActivations = createPaginator(SSMClient, DescribeActivationsCommand, "NextToken", "NextToken", "MaxResults");

const paginateDescribeAssociationExecutions = createPaginator(SSMClient, DescribeAssociationExecutionsCommand, "NextToken", "NextToken", "MaxResults");

const paginateDescribeAssociationExecutionTargets = createPaginator(SSMClient, DescribeAssociationExecutionTargetsCommand, "NextToken", "NextToken", "MaxResults");

const paginateDescribeAutomationExecutions = createPaginator(SSMClient, DescribeAutomationExecutionsCommand, "NextToken", "NextToken", "MaxResults");

const paginateDescribeAutomationStepExecutions = createPaginator(SSMClient, DescribeAutomationStepExecutionsCommand, "NextToken", "NextToken", "MaxResults");

const paginateDescribeAvailablePatches = createPaginator(SSMClient, DescribeAvailablePatchesCommand, "NextToken", "NextToken", "MaxResults");

const paginateDescribeEffectiveInstanceAssociations = createPaginator(SSMClient, DescribeEffectiveInstanceAssociationsCommand, "NextToken", "NextToken", "MaxResults");

const paginateDescribeEffectivePatchesForPatchBaseline = createPaginator(SSMClient, DescribeEffectivePatchesForPatchBaselineCommand, "NextToken", "NextToken", "MaxResults");

const paginateDescribeInstanceAssociationsStatus = createPaginator(SSMClient, DescribeInstanceAssociationsStatusCommand, "NextToken", "NextToken", "MaxResults");

const paginateDescribeInstanceInformation = createPaginator(SSMClient, DescribeInstanceInformationCommand, "NextToken", "NextToken", "MaxResults");

const paginateDescribeInstancePatches = createPaginator(SSMClient, DescribeInstancePatchesCommand, "NextToken", "NextToken", "MaxResults");

const paginateDescribeInstancePatchStatesForPatchGroup = createPaginator(SSMClient, DescribeInstancePatchStatesForPatchGroupCommand, "NextToken", "NextToken", "MaxResults");

const paginateDescribeInstancePatchStates = createPaginator(SSMClient, DescribeInstancePatchStatesCommand, "NextToken", "NextToken", "MaxResults");

const paginateDescribeInstanceProperties = createPaginator(SSMClient, DescribeInstancePropertiesCommand, "NextToken", "NextToken", "MaxResults");

const paginateDescribeInventoryDeletions = createPaginator(SSMClient, DescribeInventoryDeletionsCommand, "NextToken", "NextToken", "MaxResults");

const paginateDescribeMaintenanceWindowExecutions = createPaginator(SSMClient, DescribeMaintenanceWindowExecutionsCommand, "NextToken", "NextToken", "MaxResults");

const paginateDescribeMaintenanceWindowExecutionTaskInvocations = createPaginator(SSMClient, DescribeMaintenanceWindowExecutionTaskInvocationsCommand, "NextToken", "NextToken", "MaxResults");

const paginateDescribeMaintenanceWindowExecutionTasks = createPaginator(SSMClient, DescribeMaintenanceWindowExecutionTasksCommand, "NextToken", "NextToken", "MaxResults");

const paginateDescribeMaintenanceWindowSchedule = createPaginator(SSMClient, DescribeMaintenanceWindowScheduleCommand, "NextToken", "NextToken", "MaxResults");

const paginateDescribeMaintenanceWindowsForTarget = createPaginator(SSMClient, DescribeMaintenanceWindowsForTargetCommand, "NextToken", "NextToken", "MaxResults");

const paginateDescribeMaintenanceWindows = createPaginator(SSMClient, DescribeMaintenanceWindowsCommand, "NextToken", "NextToken", "MaxResults");

const paginateDescribeMaintenanceWindowTargets = createPaginator(SSMClient, DescribeMaintenanceWindowTargetsCommand, "NextToken", "NextToken", "MaxResults");

const paginateDescribeMaintenanceWindowTasks = createPaginator(SSMClient, DescribeMaintenanceWindowTasksCommand, "NextToken", "NextToken", "MaxResults");

const paginateDescribeOpsItems = createPaginator(SSMClient, DescribeOpsItemsCommand, "NextToken", "NextToken", "MaxResults");

const paginateDescribeParameters = createPaginator(SSMClient, DescribeParametersCommand, "NextToken", "NextToken", "MaxResults");

const paginateDescribePatchBaselines = createPaginator(SSMClient, DescribePatchBaselinesCommand, "NextToken", "NextToken", "MaxResults");

const paginateDescribePatchGroups = createPaginator(SSMClient, DescribePatchGroupsCommand, "NextToken", "NextToken", "MaxResults");

const paginateDescribePatchProperties = createPaginator(SSMClient, DescribePatchPropertiesCommand, "NextToken", "NextToken", "MaxResults");

const paginateDescribeSessions = createPaginator(SSMClient, DescribeSessionsCommand, "NextToken", "NextToken", "MaxResults");

const paginateGetInventory = createPaginator(SSMClient, GetInventoryCommand, "NextToken", "NextToken", "MaxResults");

const paginateGetInventorySchema = createPaginator(SSMClient, GetInventorySchemaCommand, "NextToken", "NextToken", "MaxResults");

const paginateGetOpsSummary = createPaginator(SSMClient, GetOpsSummaryCommand, "NextToken", "NextToken", "MaxResults");

const paginateGetParameterHistory = createPaginator(SSMClient, GetParameterHistoryCommand, "NextToken", "NextToken", "MaxResults");

const paginateGetParametersByPath = createPaginator(SSMClient, GetParametersByPathCommand, "NextToken", "NextToken", "MaxResults");

const paginateGetResourcePolicies = createPaginator(SSMClient, GetResourcePoliciesCommand, "NextToken", "NextToken", "MaxResults");

const paginateListAssociations = createPaginator(SSMClient, ListAssociationsCommand, "NextToken", "NextToken", "MaxResults");

const paginateListAssociationVersions = createPaginator(SSMClient, ListAssociationVersionsCommand, "NextToken", "NextToken", "MaxResults");

const paginateListCloudConnectors = createPaginator(SSMClient, ListCloudConnectorsCommand, "NextToken", "NextToken", "MaxResults");

const paginateListCommandInvocations = createPaginator(SSMClient, ListCommandInvocationsCommand, "NextToken", "NextToken", "MaxResults");

const paginateListCommands = createPaginator(SSMClient, ListCommandsCommand, "NextToken", "NextToken", "MaxResults");

const paginateListComplianceItems = createPaginator(SSMClient, ListComplianceItemsCommand, "NextToken", "NextToken", "MaxResults");

const paginateListComplianceSummaries = createPaginator(SSMClient, ListComplianceSummariesCommand, "NextToken", "NextToken", "MaxResults");

const paginateListDocuments = createPaginator(SSMClient, ListDocumentsCommand, "NextToken", "NextToken", "MaxResults");

const paginateListDocumentVersions = createPaginator(SSMClient, ListDocumentVersionsCommand, "NextToken", "NextToken", "MaxResults");

const paginateListNodes = createPaginator(SSMClient, ListNodesCommand, "NextToken", "NextToken", "MaxResults");

const paginateListNodesSummary = createPaginator(SSMClient, ListNodesSummaryCommand, "NextToken", "NextToken", "MaxResults");

const paginateListOpsItemEvents = createPaginator(SSMClient, ListOpsItemEventsCommand, "NextToken", "NextToken", "MaxResults");

const paginateListOpsItemRelatedItems = createPaginator(SSMClient, ListOpsItemRelatedItemsCommand, "NextToken", "NextToken", "MaxResults");

const paginateListOpsMetadata = createPaginator(SSMClient, ListOpsMetadataCommand, "NextToken", "NextToken", "MaxResults");

const paginateListResourceComplianceSummaries = createPaginator(SSMClient, ListResourceComplianceSummariesCommand, "NextToken", "NextToken", "MaxResults");

const paginateListResourceDataSync = createPaginator(SSMClient, ListResourceDataSyncCommand, "NextToken", "NextToken", "MaxResults");

const paginateValidateCloudConnector = createPaginator(SSMClient, ValidateCloudConnectorCommand, "NextToken", "NextToken", "MaxResults");

const checkState = async (client, input) => {
    let reason;
    try {
        let result = await client.send(new GetCommandInvocationCommand(input));
        reason = result;
        try {
            const returnComparator = () => {
                return result.Status;
            };
            if (returnComparator() === "Pending") {
                return { state: WaiterState.RETRY, reason };
            }
        }
        catch (e) { }
        try {
            const returnComparator = () => {
                return result.Status;
            };
            if (returnComparator() === "InProgress") {
                return { state: WaiterState.RETRY, reason };
            }
        }
        catch (e) { }
        try {
            const returnComparator = () => {
                return result.Status;
            };
            if (returnComparator() === "Delayed") {
                return { state: WaiterState.RETRY, reason };
            }
        }
        catch (e) { }
        try {
            const returnComparator = () => {
                return result.Status;
            };
            if (returnComparator() === "Success") {
                return { state: WaiterState.SUCCESS, reason };
            }
        }
        catch (e) { }
        try {
            const returnComparator = () => {
                return result.Status;
            };
            if (returnComparator() === "Cancelled") {
                return { state: WaiterState.FAILURE, reason };
            }
        }
        catch (e) { }
        try {
            const returnComparator = () => {
                return result.Status;
            };
            if (returnComparator() === "TimedOut") {
                return { state: WaiterState.FAILURE, reason };
            }
        }
        catch (e) { }
        try {
            const returnComparator = () => {
                return result.Status;
            };
            if (returnComparator() === "Failed") {
                return { state: WaiterState.FAILURE, reason };
            }
        }
        catch (e) { }
        try {
            const returnComparator = () => {
                return result.Status;
            };
            if (returnComparator() === "Cancelling") {
                return { state: WaiterState.FAILURE, reason };
            }
        }
        catch (e) { }
    }
    catch (exception) {
        reason = exception;
        if (exception.name === "InvocationDoesNotExist") {
            return { state: WaiterState.RETRY, reason };
        }
    }
    return { state: WaiterState.RETRY, reason };
};
const waitForCommandExecuted = async (params, input) => {
    const serviceDefaults = { minDelay: 5, maxDelay: 120 };
    return createWaiter({ ...serviceDefaults, ...params }, input, checkState);
};
const waitUntilCommandExecuted = async (params, input) => {
    const serviceDefaults = { minDelay: 5, maxDelay: 120 };
    const result = await createWaiter({ ...serviceDefaults, ...params }, input, checkState);
    return checkExceptions(result);
};

const commands = {
    AddTagsToResourceCommand,
    AssociateOpsItemRelatedItemCommand,
    CancelCommandCommand,
    CancelMaintenanceWindowExecutionCommand,
    CreateActivationCommand,
    CreateAssociationCommand,
    CreateAssociationBatchCommand,
    CreateCloudConnectorCommand,
    CreateDocumentCommand,
    CreateMaintenanceWindowCommand,
    CreateOpsItemCommand,
    CreateOpsMetadataCommand,
    CreatePatchBaselineCommand,
    CreateResourceDataSyncCommand,
    DeleteActivationCommand,
    DeleteAssociationCommand,
    DeleteCloudConnectorCommand,
    DeleteDocumentCommand,
    DeleteInventoryCommand,
    DeleteMaintenanceWindowCommand,
    DeleteOpsItemCommand,
    DeleteOpsMetadataCommand,
    DeleteParameterCommand,
    DeleteParametersCommand,
    DeletePatchBaselineCommand,
    DeleteResourceDataSyncCommand,
    DeleteResourcePolicyCommand,
    DeregisterDefaultHostManagementConfigurationCommand,
    DeregisterManagedInstanceCommand,
    DeregisterPatchBaselineForPatchGroupCommand,
    DeregisterTargetFromMaintenanceWindowCommand,
    DeregisterTaskFromMaintenanceWindowCommand,
    DescribeActivationsCommand,
    DescribeAssociationCommand,
    DescribeAssociationExecutionsCommand,
    DescribeAssociationExecutionTargetsCommand,
    DescribeAutomationExecutionsCommand,
    DescribeAutomationStepExecutionsCommand,
    DescribeAvailablePatchesCommand,
    DescribeDocumentCommand,
    DescribeDocumentPermissionCommand,
    DescribeEffectiveInstanceAssociationsCommand,
    DescribeEffectivePatchesForPatchBaselineCommand,
    DescribeInstanceAssociationsStatusCommand,
    DescribeInstanceInformationCommand,
    DescribeInstancePatchesCommand,
    DescribeInstancePatchStatesCommand,
    DescribeInstancePatchStatesForPatchGroupCommand,
    DescribeInstancePropertiesCommand,
    DescribeInventoryDeletionsCommand,
    DescribeMaintenanceWindowExecutionsCommand,
    DescribeMaintenanceWindowExecutionTaskInvocationsCommand,
    DescribeMaintenanceWindowExecutionTasksCommand,
    DescribeMaintenanceWindowsCommand,
    DescribeMaintenanceWindowScheduleCommand,
    DescribeMaintenanceWindowsForTargetCommand,
    DescribeMaintenanceWindowTargetsCommand,
    DescribeMaintenanceWindowTasksCommand,
    DescribeOpsItemsCommand,
    DescribeParametersCommand,
    DescribePatchBaselinesCommand,
    DescribePatchGroupsCommand,
    DescribePatchGroupStateCommand,
    DescribePatchPropertiesCommand,
    DescribeSessionsCommand,
    DisassociateOpsItemRelatedItemCommand,
    GetAccessTokenCommand,
    GetAutomationExecutionCommand,
    GetCalendarStateCommand,
    GetCloudConnectorCommand,
    GetCommandInvocationCommand,
    GetConnectionStatusCommand,
    GetDefaultPatchBaselineCommand,
    GetDeployablePatchSnapshotForInstanceCommand,
    GetDocumentCommand,
    GetExecutionPreviewCommand,
    GetInventoryCommand,
    GetInventorySchemaCommand,
    GetMaintenanceWindowCommand,
    GetMaintenanceWindowExecutionCommand,
    GetMaintenanceWindowExecutionTaskCommand,
    GetMaintenanceWindowExecutionTaskInvocationCommand,
    GetMaintenanceWindowTaskCommand,
    GetOpsItemCommand,
    GetOpsMetadataCommand,
    GetOpsSummaryCommand,
    GetParameterCommand,
    GetParameterHistoryCommand,
    GetParametersCommand,
    GetParametersByPathCommand,
    GetPatchBaselineCommand,
    GetPatchBaselineForPatchGroupCommand,
    GetResourcePoliciesCommand,
    GetServiceSettingCommand,
    LabelParameterVersionCommand,
    ListAssociationsCommand,
    ListAssociationVersionsCommand,
    ListCloudConnectorsCommand,
    ListCommandInvocationsCommand,
    ListCommandsCommand,
    ListComplianceItemsCommand,
    ListComplianceSummariesCommand,
    ListDocumentMetadataHistoryCommand,
    ListDocumentsCommand,
    ListDocumentVersionsCommand,
    ListInventoryEntriesCommand,
    ListNodesCommand,
    ListNodesSummaryCommand,
    ListOpsItemEventsCommand,
    ListOpsItemRelatedItemsCommand,
    ListOpsMetadataCommand,
    ListResourceComplianceSummariesCommand,
    ListResourceDataSyncCommand,
    ListTagsForResourceCommand,
    ModifyDocumentPermissionCommand,
    PutComplianceItemsCommand,
    PutInventoryCommand,
    PutParameterCommand,
    PutResourcePolicyCommand,
    RegisterDefaultHostManagementConfigurationCommand,
    RegisterDefaultPatchBaselineCommand,
    RegisterPatchBaselineForPatchGroupCommand,
    RegisterTargetWithMaintenanceWindowCommand,
    RegisterTaskWithMaintenanceWindowCommand,
    RemoveTagsFromResourceCommand,
    ResetServiceSettingCommand,
    ResumeSessionCommand,
    SendAutomationSignalCommand,
    SendCommandCommand,
    StartAccessRequestCommand,
    StartAssociationsOnceCommand,
    StartAutomationExecutionCommand,
    StartChangeRequestExecutionCommand,
    StartExecutionPreviewCommand,
    StartSessionCommand,
    StopAutomationExecutionCommand,
    TerminateSessionCommand,
    UnlabelParameterVersionCommand,
    UpdateAssociationCommand,
    UpdateAssociationStatusCommand,
    UpdateCloudConnectorCommand,
    UpdateDocumentCommand,
    UpdateDocumentDefaultVersionCommand,
    UpdateDocumentMetadataCommand,
    UpdateMaintenanceWindowCommand,
    UpdateMaintenanceWindowTargetCommand,
    UpdateMaintenanceWindowTaskCommand,
    UpdateManagedInstanceRoleCommand,
    UpdateOpsItemCommand,
    UpdateOpsMetadataCommand,
    UpdatePatchBaselineCommand,
    UpdateResourceDataSyncCommand,
    UpdateServiceSettingCommand,
    ValidateCloudConnectorCommand,
};
const paginators = {
    paginateDescribeActivations,
    paginateDescribeAssociationExecutions,
    paginateDescribeAssociationExecutionTargets,
    paginateDescribeAutomationExecutions,
    paginateDescribeAutomationStepExecutions,
    paginateDescribeAvailablePatches,
    paginateDescribeEffectiveInstanceAssociations,
    paginateDescribeEffectivePatchesForPatchBaseline,
    paginateDescribeInstanceAssociationsStatus,
    paginateDescribeInstanceInformation,
    paginateDescribeInstancePatches,
    paginateDescribeInstancePatchStates,
    paginateDescribeInstancePatchStatesForPatchGroup,
    paginateDescribeInstanceProperties,
    paginateDescribeInventoryDeletions,
    paginateDescribeMaintenanceWindowExecutions,
    paginateDescribeMaintenanceWindowExecutionTaskInvocations,
    paginateDescribeMaintenanceWindowExecutionTasks,
    paginateDescribeMaintenanceWindows,
    paginateDescribeMaintenanceWindowSchedule,
    paginateDescribeMaintenanceWindowsForTarget,
    paginateDescribeMaintenanceWindowTargets,
    paginateDescribeMaintenanceWindowTasks,
    paginateDescribeOpsItems,
    paginateDescribeParameters,
    paginateDescribePatchBaselines,
    paginateDescribePatchGroups,
    paginateDescribePatchProperties,
    paginateDescribeSessions,
    paginateGetInventory,
    paginateGetInventorySchema,
    paginateGetOpsSummary,
    paginateGetParameterHistory,
    paginateGetParametersByPath,
    paginateGetResourcePolicies,
    paginateListAssociations,
    paginateListAssociationVersions,
    paginateListCloudConnectors,
    paginateListCommandInvocations,
    paginateListCommands,
    paginateListComplianceItems,
    paginateListComplianceSummaries,
    paginateListDocuments,
    paginateListDocumentVersions,
    paginateListNodes,
    paginateListNodesSummary,
    paginateListOpsItemEvents,
    paginateListOpsItemRelatedItems,
    paginateListOpsMetadata,
    paginateListResourceComplianceSummaries,
    paginateListResourceDataSync,
    paginateValidateCloudConnector,
};
const waiters = {
    waitUntilCommandExecuted,
};
class SSM extends SSMClient {
}
createAggregatedClient(commands, SSM, { paginators, waiters });

const AccessRequestStatus = {
    APPROVED: "Approved",
    EXPIRED: "Expired",
    PENDING: "Pending",
    REJECTED: "Rejected",
    REVOKED: "Revoked",
};
const AccessType = {
    JUSTINTIME: "JustInTime",
    STANDARD: "Standard",
};
const ResourceTypeForTagging = {
    ASSOCIATION: "Association",
    AUTOMATION: "Automation",
    CLOUD_CONNECTOR: "CloudConnector",
    DOCUMENT: "Document",
    MAINTENANCE_WINDOW: "MaintenanceWindow",
    MANAGED_INSTANCE: "ManagedInstance",
    OPSMETADATA: "OpsMetadata",
    OPS_ITEM: "OpsItem",
    PARAMETER: "Parameter",
    PATCH_BASELINE: "PatchBaseline",
};
const ExternalAlarmState = {
    ALARM: "ALARM",
    UNKNOWN: "UNKNOWN",
};
const AssociationComplianceSeverity = {
    Critical: "CRITICAL",
    High: "HIGH",
    Low: "LOW",
    Medium: "MEDIUM",
    Unspecified: "UNSPECIFIED",
};
const AssociationSyncCompliance = {
    Auto: "AUTO",
    Manual: "MANUAL",
};
const AssociationStatusName = {
    Failed: "Failed",
    Pending: "Pending",
    Success: "Success",
};
const Fault = {
    Client: "Client",
    Server: "Server",
    Unknown: "Unknown",
};
const AttachmentsSourceKey = {
    AttachmentReference: "AttachmentReference",
    S3FileUrl: "S3FileUrl",
    SourceUrl: "SourceUrl",
};
const DocumentFormat = {
    JSON: "JSON",
    TEXT: "TEXT",
    YAML: "YAML",
};
const DocumentType = {
    ApplicationConfiguration: "ApplicationConfiguration",
    ApplicationConfigurationSchema: "ApplicationConfigurationSchema",
    AutoApprovalPolicy: "AutoApprovalPolicy",
    Automation: "Automation",
    ChangeCalendar: "ChangeCalendar",
    ChangeTemplate: "Automation.ChangeTemplate",
    CloudFormation: "CloudFormation",
    Command: "Command",
    ConformancePackTemplate: "ConformancePackTemplate",
    DeploymentStrategy: "DeploymentStrategy",
    ManualApprovalPolicy: "ManualApprovalPolicy",
    Package: "Package",
    Policy: "Policy",
    ProblemAnalysis: "ProblemAnalysis",
    ProblemAnalysisTemplate: "ProblemAnalysisTemplate",
    QuickSetup: "QuickSetup",
    Session: "Session",
};
const DocumentHashType = {
    SHA1: "Sha1",
    SHA256: "Sha256",
};
const DocumentParameterType = {
    String: "String",
    StringList: "StringList",
};
const PlatformType = {
    LINUX: "Linux",
    MACOS: "MacOS",
    WINDOWS: "Windows",
};
const ReviewStatus = {
    APPROVED: "APPROVED",
    NOT_REVIEWED: "NOT_REVIEWED",
    PENDING: "PENDING",
    REJECTED: "REJECTED",
};
const DocumentStatus = {
    Active: "Active",
    Creating: "Creating",
    Deleting: "Deleting",
    Failed: "Failed",
    Updating: "Updating",
};
const OpsItemDataType = {
    SEARCHABLE_STRING: "SearchableString",
    STRING: "String",
};
const PatchComplianceLevel = {
    Critical: "CRITICAL",
    High: "HIGH",
    Informational: "INFORMATIONAL",
    Low: "LOW",
    Medium: "MEDIUM",
    Unspecified: "UNSPECIFIED",
};
const PatchFilterKey = {
    AdvisoryId: "ADVISORY_ID",
    Arch: "ARCH",
    BugzillaId: "BUGZILLA_ID",
    CVEId: "CVE_ID",
    Classification: "CLASSIFICATION",
    Epoch: "EPOCH",
    MsrcSeverity: "MSRC_SEVERITY",
    Name: "NAME",
    PatchId: "PATCH_ID",
    PatchSet: "PATCH_SET",
    Priority: "PRIORITY",
    Product: "PRODUCT",
    ProductFamily: "PRODUCT_FAMILY",
    Release: "RELEASE",
    Repository: "REPOSITORY",
    Section: "SECTION",
    Security: "SECURITY",
    Severity: "SEVERITY",
    Version: "VERSION",
};
const PatchComplianceStatus = {
    Compliant: "COMPLIANT",
    NonCompliant: "NON_COMPLIANT",
};
const OperatingSystem = {
    AlmaLinux: "ALMA_LINUX",
    AmazonLinux: "AMAZON_LINUX",
    AmazonLinux2: "AMAZON_LINUX_2",
    AmazonLinux2022: "AMAZON_LINUX_2022",
    AmazonLinux2023: "AMAZON_LINUX_2023",
    CentOS: "CENTOS",
    Debian: "DEBIAN",
    MacOS: "MACOS",
    OracleLinux: "ORACLE_LINUX",
    Raspbian: "RASPBIAN",
    RedhatEnterpriseLinux: "REDHAT_ENTERPRISE_LINUX",
    Rocky_Linux: "ROCKY_LINUX",
    Suse: "SUSE",
    Ubuntu: "UBUNTU",
    Windows: "WINDOWS",
};
const PatchAction = {
    AllowAsDependency: "ALLOW_AS_DEPENDENCY",
    Block: "BLOCK",
};
const ResourceDataSyncS3Format = {
    JSON_SERDE: "JsonSerDe",
};
const InventorySchemaDeleteOption = {
    DELETE_SCHEMA: "DeleteSchema",
    DISABLE_SCHEMA: "DisableSchema",
};
const DeletionMode = {
    RemoveSharing: "RemoveSharing",
    RollbackMigration: "RollbackMigration",
};
const DescribeActivationsFilterKeys = {
    ACTIVATION_IDS: "ActivationIds",
    DEFAULT_INSTANCE_NAME: "DefaultInstanceName",
    IAM_ROLE: "IamRole",
};
const AssociationExecutionFilterKey = {
    CreatedTime: "CreatedTime",
    ExecutionId: "ExecutionId",
    Status: "Status",
};
const AssociationFilterOperatorType = {
    Equal: "EQUAL",
    GreaterThan: "GREATER_THAN",
    LessThan: "LESS_THAN",
};
const AssociationExecutionTargetsFilterKey = {
    ResourceId: "ResourceId",
    ResourceType: "ResourceType",
    Status: "Status",
};
const AutomationExecutionFilterKey = {
    AUTOMATION_SUBTYPE: "AutomationSubtype",
    AUTOMATION_TYPE: "AutomationType",
    CURRENT_ACTION: "CurrentAction",
    DOCUMENT_NAME_PREFIX: "DocumentNamePrefix",
    EXECUTION_ID: "ExecutionId",
    EXECUTION_STATUS: "ExecutionStatus",
    OPS_ITEM_ID: "OpsItemId",
    PARENT_EXECUTION_ID: "ParentExecutionId",
    START_TIME_AFTER: "StartTimeAfter",
    START_TIME_BEFORE: "StartTimeBefore",
    TAG_KEY: "TagKey",
    TARGET_RESOURCE_GROUP: "TargetResourceGroup",
};
const AutomationExecutionStatus = {
    APPROVED: "Approved",
    CANCELLED: "Cancelled",
    CANCELLING: "Cancelling",
    CHANGE_CALENDAR_OVERRIDE_APPROVED: "ChangeCalendarOverrideApproved",
    CHANGE_CALENDAR_OVERRIDE_REJECTED: "ChangeCalendarOverrideRejected",
    COMPLETED_WITH_FAILURE: "CompletedWithFailure",
    COMPLETED_WITH_SUCCESS: "CompletedWithSuccess",
    EXITED: "Exited",
    FAILED: "Failed",
    INPROGRESS: "InProgress",
    PENDING: "Pending",
    PENDING_APPROVAL: "PendingApproval",
    PENDING_CHANGE_CALENDAR_OVERRIDE: "PendingChangeCalendarOverride",
    REJECTED: "Rejected",
    RUNBOOK_INPROGRESS: "RunbookInProgress",
    SCHEDULED: "Scheduled",
    SUCCESS: "Success",
    TIMEDOUT: "TimedOut",
    WAITING: "Waiting",
};
const AutomationSubtype = {
    AccessRequest: "AccessRequest",
    ChangeRequest: "ChangeRequest",
};
const AutomationType = {
    CrossAccount: "CrossAccount",
    Local: "Local",
};
const ExecutionMode = {
    Auto: "Auto",
    Interactive: "Interactive",
};
const StepExecutionFilterKey = {
    ACTION: "Action",
    PARENT_STEP_EXECUTION_ID: "ParentStepExecutionId",
    PARENT_STEP_ITERATION: "ParentStepIteration",
    PARENT_STEP_ITERATOR_VALUE: "ParentStepIteratorValue",
    START_TIME_AFTER: "StartTimeAfter",
    START_TIME_BEFORE: "StartTimeBefore",
    STEP_EXECUTION_ID: "StepExecutionId",
    STEP_EXECUTION_STATUS: "StepExecutionStatus",
    STEP_NAME: "StepName",
};
const DocumentPermissionType = {
    SHARE: "Share",
};
const PatchDeploymentStatus = {
    Approved: "APPROVED",
    ExplicitApproved: "EXPLICIT_APPROVED",
    ExplicitRejected: "EXPLICIT_REJECTED",
    PendingApproval: "PENDING_APPROVAL",
};
const InstanceInformationFilterKey = {
    ACTIVATION_IDS: "ActivationIds",
    AGENT_VERSION: "AgentVersion",
    ASSOCIATION_STATUS: "AssociationStatus",
    IAM_ROLE: "IamRole",
    INSTANCE_IDS: "InstanceIds",
    PING_STATUS: "PingStatus",
    PLATFORM_TYPES: "PlatformTypes",
    RESOURCE_TYPE: "ResourceType",
};
const PingStatus = {
    CONNECTION_LOST: "ConnectionLost",
    INACTIVE: "Inactive",
    ONLINE: "Online",
};
const ResourceType = {
    EC2_INSTANCE: "EC2Instance",
    MANAGED_INSTANCE: "ManagedInstance",
};
const SourceType = {
    AWS_EC2_INSTANCE: "AWS::EC2::Instance",
    AWS_IOT_THING: "AWS::IoT::Thing",
    AWS_SSM_MANAGEDINSTANCE: "AWS::SSM::ManagedInstance",
    AZURE_INSTANCE: "Microsoft.Compute/virtualMachines",
    GCP_INSTANCE: "compute.googleapis.com/Instance",
};
const PatchComplianceDataState = {
    AvailableSecurityUpdate: "AVAILABLE_SECURITY_UPDATE",
    Failed: "FAILED",
    Installed: "INSTALLED",
    InstalledOther: "INSTALLED_OTHER",
    InstalledPendingReboot: "INSTALLED_PENDING_REBOOT",
    InstalledRejected: "INSTALLED_REJECTED",
    Missing: "MISSING",
    NotApplicable: "NOT_APPLICABLE",
};
const PatchOperationType = {
    INSTALL: "Install",
    SCAN: "Scan",
};
const RebootOption = {
    NO_REBOOT: "NoReboot",
    REBOOT_IF_NEEDED: "RebootIfNeeded",
};
const InstancePatchStateOperatorType = {
    EQUAL: "Equal",
    GREATER_THAN: "GreaterThan",
    LESS_THAN: "LessThan",
    NOT_EQUAL: "NotEqual",
};
const InstancePropertyFilterOperator = {
    BEGIN_WITH: "BeginWith",
    EQUAL: "Equal",
    GREATER_THAN: "GreaterThan",
    LESS_THAN: "LessThan",
    NOT_EQUAL: "NotEqual",
};
const InstancePropertyFilterKey = {
    ACTIVATION_IDS: "ActivationIds",
    AGENT_VERSION: "AgentVersion",
    ASSOCIATION_STATUS: "AssociationStatus",
    DOCUMENT_NAME: "DocumentName",
    IAM_ROLE: "IamRole",
    INSTANCE_IDS: "InstanceIds",
    PING_STATUS: "PingStatus",
    PLATFORM_TYPES: "PlatformTypes",
    RESOURCE_TYPE: "ResourceType",
};
const InventoryDeletionStatus = {
    COMPLETE: "Complete",
    IN_PROGRESS: "InProgress",
};
const MaintenanceWindowExecutionStatus = {
    Cancelled: "CANCELLED",
    Cancelling: "CANCELLING",
    Failed: "FAILED",
    InProgress: "IN_PROGRESS",
    Pending: "PENDING",
    SkippedOverlapping: "SKIPPED_OVERLAPPING",
    Success: "SUCCESS",
    TimedOut: "TIMED_OUT",
};
const MaintenanceWindowTaskType = {
    Automation: "AUTOMATION",
    Lambda: "LAMBDA",
    RunCommand: "RUN_COMMAND",
    StepFunctions: "STEP_FUNCTIONS",
};
const MaintenanceWindowResourceType = {
    Instance: "INSTANCE",
    ResourceGroup: "RESOURCE_GROUP",
};
const MaintenanceWindowTaskCutoffBehavior = {
    CancelTask: "CANCEL_TASK",
    ContinueTask: "CONTINUE_TASK",
};
const OpsItemFilterKey = {
    ACCESS_REQUEST_APPROVER_ARN: "AccessRequestByApproverArn",
    ACCESS_REQUEST_APPROVER_ID: "AccessRequestByApproverId",
    ACCESS_REQUEST_IS_REPLICA: "AccessRequestByIsReplica",
    ACCESS_REQUEST_REQUESTER_ARN: "AccessRequestByRequesterArn",
    ACCESS_REQUEST_REQUESTER_ID: "AccessRequestByRequesterId",
    ACCESS_REQUEST_SOURCE_ACCOUNT_ID: "AccessRequestBySourceAccountId",
    ACCESS_REQUEST_SOURCE_OPS_ITEM_ID: "AccessRequestBySourceOpsItemId",
    ACCESS_REQUEST_SOURCE_REGION: "AccessRequestBySourceRegion",
    ACCESS_REQUEST_TARGET_RESOURCE_ID: "AccessRequestByTargetResourceId",
    ACCOUNT_ID: "AccountId",
    ACTUAL_END_TIME: "ActualEndTime",
    ACTUAL_START_TIME: "ActualStartTime",
    AUTOMATION_ID: "AutomationId",
    CATEGORY: "Category",
    CHANGE_REQUEST_APPROVER_ARN: "ChangeRequestByApproverArn",
    CHANGE_REQUEST_APPROVER_NAME: "ChangeRequestByApproverName",
    CHANGE_REQUEST_REQUESTER_ARN: "ChangeRequestByRequesterArn",
    CHANGE_REQUEST_REQUESTER_NAME: "ChangeRequestByRequesterName",
    CHANGE_REQUEST_TARGETS_RESOURCE_GROUP: "ChangeRequestByTargetsResourceGroup",
    CHANGE_REQUEST_TEMPLATE: "ChangeRequestByTemplate",
    CREATED_BY: "CreatedBy",
    CREATED_TIME: "CreatedTime",
    INSIGHT_TYPE: "InsightByType",
    LAST_MODIFIED_TIME: "LastModifiedTime",
    OPERATIONAL_DATA: "OperationalData",
    OPERATIONAL_DATA_KEY: "OperationalDataKey",
    OPERATIONAL_DATA_VALUE: "OperationalDataValue",
    OPSITEM_ID: "OpsItemId",
    OPSITEM_TYPE: "OpsItemType",
    PLANNED_END_TIME: "PlannedEndTime",
    PLANNED_START_TIME: "PlannedStartTime",
    PRIORITY: "Priority",
    RESOURCE_ID: "ResourceId",
    SEVERITY: "Severity",
    SOURCE: "Source",
    STATUS: "Status",
    TITLE: "Title",
};
const OpsItemFilterOperator = {
    CONTAINS: "Contains",
    EQUAL: "Equal",
    GREATER_THAN: "GreaterThan",
    LESS_THAN: "LessThan",
};
const OpsItemStatus = {
    APPROVED: "Approved",
    CANCELLED: "Cancelled",
    CANCELLING: "Cancelling",
    CHANGE_CALENDAR_OVERRIDE_APPROVED: "ChangeCalendarOverrideApproved",
    CHANGE_CALENDAR_OVERRIDE_REJECTED: "ChangeCalendarOverrideRejected",
    CLOSED: "Closed",
    COMPLETED_WITH_FAILURE: "CompletedWithFailure",
    COMPLETED_WITH_SUCCESS: "CompletedWithSuccess",
    FAILED: "Failed",
    IN_PROGRESS: "InProgress",
    OPEN: "Open",
    PENDING: "Pending",
    PENDING_APPROVAL: "PendingApproval",
    PENDING_CHANGE_CALENDAR_OVERRIDE: "PendingChangeCalendarOverride",
    REJECTED: "Rejected",
    RESOLVED: "Resolved",
    REVOKED: "Revoked",
    RUNBOOK_IN_PROGRESS: "RunbookInProgress",
    SCHEDULED: "Scheduled",
    TIMED_OUT: "TimedOut",
};
const ParametersFilterKey = {
    KEY_ID: "KeyId",
    NAME: "Name",
    TYPE: "Type",
};
const ParameterTier = {
    ADVANCED: "Advanced",
    INTELLIGENT_TIERING: "Intelligent-Tiering",
    STANDARD: "Standard",
};
const ParameterType = {
    SECURE_STRING: "SecureString",
    STRING: "String",
    STRING_LIST: "StringList",
};
const PatchSet = {
    Application: "APPLICATION",
    Os: "OS",
};
const PatchProperty = {
    PatchClassification: "CLASSIFICATION",
    PatchMsrcSeverity: "MSRC_SEVERITY",
    PatchPriority: "PRIORITY",
    PatchProductFamily: "PRODUCT_FAMILY",
    PatchSeverity: "SEVERITY",
    Product: "PRODUCT",
};
const SessionFilterKey = {
    ACCESS_TYPE: "AccessType",
    INVOKED_AFTER: "InvokedAfter",
    INVOKED_BEFORE: "InvokedBefore",
    OWNER: "Owner",
    SESSION_ID: "SessionId",
    STATUS: "Status",
    TARGET_ID: "Target",
};
const SessionState = {
    ACTIVE: "Active",
    HISTORY: "History",
};
const SessionStatus = {
    CONNECTED: "Connected",
    CONNECTING: "Connecting",
    DISCONNECTED: "Disconnected",
    FAILED: "Failed",
    TERMINATED: "Terminated",
    TERMINATING: "Terminating",
};
const CalendarState = {
    CLOSED: "CLOSED",
    OPEN: "OPEN",
};
const CommandInvocationStatus = {
    CANCELLED: "Cancelled",
    CANCELLING: "Cancelling",
    DELAYED: "Delayed",
    FAILED: "Failed",
    IN_PROGRESS: "InProgress",
    PENDING: "Pending",
    SUCCESS: "Success",
    TIMED_OUT: "TimedOut",
};
const ConnectionStatus = {
    CONNECTED: "connected",
    NOT_CONNECTED: "notconnected",
};
const AttachmentHashType = {
    SHA256: "Sha256",
};
const ImpactType = {
    MUTATING: "Mutating",
    NON_MUTATING: "NonMutating",
    UNDETERMINED: "Undetermined",
};
const ExecutionPreviewStatus = {
    FAILED: "Failed",
    IN_PROGRESS: "InProgress",
    PENDING: "Pending",
    SUCCESS: "Success",
};
const InventoryQueryOperatorType = {
    BEGIN_WITH: "BeginWith",
    EQUAL: "Equal",
    EXISTS: "Exists",
    GREATER_THAN: "GreaterThan",
    LESS_THAN: "LessThan",
    NOT_EQUAL: "NotEqual",
};
const InventoryAttributeDataType = {
    NUMBER: "number",
    STRING: "string",
};
const NotificationEvent = {
    ALL: "All",
    CANCELLED: "Cancelled",
    FAILED: "Failed",
    IN_PROGRESS: "InProgress",
    SUCCESS: "Success",
    TIMED_OUT: "TimedOut",
};
const NotificationType = {
    Command: "Command",
    Invocation: "Invocation",
};
const OpsFilterOperatorType = {
    BEGIN_WITH: "BeginWith",
    EQUAL: "Equal",
    EXISTS: "Exists",
    GREATER_THAN: "GreaterThan",
    LESS_THAN: "LessThan",
    NOT_EQUAL: "NotEqual",
};
const AssociationFilterKey = {
    AssociationId: "AssociationId",
    AssociationName: "AssociationName",
    CloudConnectorId: "CloudConnectorId",
    InstanceId: "InstanceId",
    LastExecutedAfter: "LastExecutedAfter",
    LastExecutedBefore: "LastExecutedBefore",
    Name: "Name",
    ResourceGroupName: "ResourceGroupName",
    Status: "AssociationStatusName",
};
const CloudConnectorFilterKey = {
    OrganizationId: "OrganizationId",
    ProjectId: "ProjectId",
    SubscriptionId: "SubscriptionId",
    TenantId: "TenantId",
};
const Provider = {
    AZURE: "Azure",
    GCP: "GCP",
};
const CommandFilterKey = {
    DOCUMENT_NAME: "DocumentName",
    EXECUTION_STAGE: "ExecutionStage",
    INVOKED_AFTER: "InvokedAfter",
    INVOKED_BEFORE: "InvokedBefore",
    STATUS: "Status",
};
const CommandPluginStatus = {
    CANCELLED: "Cancelled",
    FAILED: "Failed",
    IN_PROGRESS: "InProgress",
    PENDING: "Pending",
    SUCCESS: "Success",
    TIMED_OUT: "TimedOut",
};
const CommandStatus = {
    CANCELLED: "Cancelled",
    CANCELLING: "Cancelling",
    FAILED: "Failed",
    IN_PROGRESS: "InProgress",
    PENDING: "Pending",
    SUCCESS: "Success",
    TIMED_OUT: "TimedOut",
};
const ComplianceQueryOperatorType = {
    BeginWith: "BEGIN_WITH",
    Equal: "EQUAL",
    GreaterThan: "GREATER_THAN",
    LessThan: "LESS_THAN",
    NotEqual: "NOT_EQUAL",
};
const ComplianceSeverity = {
    Critical: "CRITICAL",
    High: "HIGH",
    Informational: "INFORMATIONAL",
    Low: "LOW",
    Medium: "MEDIUM",
    Unspecified: "UNSPECIFIED",
};
const ComplianceStatus = {
    Compliant: "COMPLIANT",
    NonCompliant: "NON_COMPLIANT",
};
const DocumentMetadataEnum = {
    DocumentReviews: "DocumentReviews",
};
const DocumentReviewCommentType = {
    Comment: "Comment",
};
const DocumentFilterKey = {
    DocumentType: "DocumentType",
    Name: "Name",
    Owner: "Owner",
    PlatformTypes: "PlatformTypes",
};
const NodeFilterKey = {
    ACCOUNT_ID: "AccountId",
    AGENT_TYPE: "AgentType",
    AGENT_VERSION: "AgentVersion",
    AVAILABILITY_ZONE: "AvailabilityZone",
    AVAILABILITY_ZONE_ID: "AvailabilityZoneId",
    COMPUTER_NAME: "ComputerName",
    INSTANCE_ID: "InstanceId",
    INSTANCE_STATUS: "InstanceStatus",
    IP_ADDRESS: "IpAddress",
    MANAGED_STATUS: "ManagedStatus",
    ORGANIZATIONAL_UNIT_ID: "OrganizationalUnitId",
    ORGANIZATIONAL_UNIT_PATH: "OrganizationalUnitPath",
    PLATFORM_NAME: "PlatformName",
    PLATFORM_TYPE: "PlatformType",
    PLATFORM_VERSION: "PlatformVersion",
    REGION: "Region",
    RESOURCE_TYPE: "ResourceType",
    SOURCE_ID: "SourceId",
    SOURCE_LOCATION: "SourceLocation",
    SOURCE_TYPE: "SourceType",
};
const NodeFilterOperatorType = {
    BEGIN_WITH: "BeginWith",
    EQUAL: "Equal",
    NOT_EQUAL: "NotEqual",
};
const ManagedStatus = {
    ALL: "All",
    MANAGED: "Managed",
    UNMANAGED: "Unmanaged",
};
const NodeAggregatorType = {
    COUNT: "Count",
};
const NodeAttributeName = {
    AGENT_VERSION: "AgentVersion",
    AVAILABILITY_ZONE: "AvailabilityZone",
    PLATFORM_NAME: "PlatformName",
    PLATFORM_TYPE: "PlatformType",
    PLATFORM_VERSION: "PlatformVersion",
    REGION: "Region",
    RESOURCE_TYPE: "ResourceType",
    SOURCE_TYPE: "SourceType",
};
const NodeTypeName = {
    INSTANCE: "Instance",
};
const OpsItemEventFilterKey = {
    OPSITEM_ID: "OpsItemId",
};
const OpsItemEventFilterOperator = {
    EQUAL: "Equal",
};
const OpsItemRelatedItemsFilterKey = {
    ASSOCIATION_ID: "AssociationId",
    RESOURCE_TYPE: "ResourceType",
    RESOURCE_URI: "ResourceUri",
};
const OpsItemRelatedItemsFilterOperator = {
    EQUAL: "Equal",
};
const LastResourceDataSyncStatus = {
    FAILED: "Failed",
    INPROGRESS: "InProgress",
    SUCCESSFUL: "Successful",
};
const ComplianceUploadType = {
    Complete: "COMPLETE",
    Partial: "PARTIAL",
};
const DHMCPermissionModel = {
    SELF_MANAGED: "SELF_MANAGED",
    SERVICE_MANAGED: "SERVICE_MANAGED",
};
const SignalType = {
    APPROVE: "Approve",
    REJECT: "Reject",
    RESUME: "Resume",
    REVOKE: "Revoke",
    START_STEP: "StartStep",
    STOP_STEP: "StopStep",
};
const StopType = {
    CANCEL: "Cancel",
    COMPLETE: "Complete",
};
const DocumentReviewAction = {
    Approve: "Approve",
    Reject: "Reject",
    SendForReview: "SendForReview",
    UpdateReview: "UpdateReview",
};
const ValidationFindingCode = {
    AWS_ROLE_ASSUMPTION_FAILED: "AwsRoleAssumptionFailed",
    OUTBOUND_WEB_IDENTITY_FEDERATION_DISABLED: "OutboundWebIdentityFederationDisabled",
    PROVIDER_CREDENTIAL_CREATION_FAILED: "ProviderCredentialCreationFailed",
    SUBSCRIPTION_ACCESSIBLE: "SubscriptionAccessible",
    TARGET_API_DISABLED: "TargetApiDisabled",
    TARGET_INACCESSIBLE: "TargetInaccessible",
    TARGET_MISSING_PERMISSIONS: "TargetMissingPermissions",
    TARGET_STATE_WARNING: "TargetStateWarning",
    TARGET_UNUSABLE: "TargetUnusable",
    TENANT_SUMMARY: "TenantSummary",
    WEB_IDENTITY_TOKEN_FAILED: "WebIdentityTokenFailed",
};
const ValidationFindingScopeType = {
    AZURE_SUBSCRIPTION: "azure:subscription",
    AZURE_TENANT: "azure:tenant",
    GCP_ORGANIZATION: "gcp:organization",
    GCP_PROJECT: "gcp:project",
};
const ValidationFindingType = {
    ERROR: "ERROR",
    INFO: "INFO",
    WARN: "WARN",
};

__webpack_unused_export__ = AccessDeniedException;
__webpack_unused_export__ = AccessDeniedException$;
__webpack_unused_export__ = AccessRequestStatus;
__webpack_unused_export__ = AccessType;
__webpack_unused_export__ = AccountSharingInfo$;
__webpack_unused_export__ = Activation$;
__webpack_unused_export__ = AddTagsToResource$;
__webpack_unused_export__ = AddTagsToResourceCommand;
__webpack_unused_export__ = AddTagsToResourceRequest$;
__webpack_unused_export__ = AddTagsToResourceResult$;
__webpack_unused_export__ = Alarm$;
__webpack_unused_export__ = AlarmConfiguration$;
__webpack_unused_export__ = AlarmStateInformation$;
__webpack_unused_export__ = AlreadyExistsException;
__webpack_unused_export__ = AlreadyExistsException$;
__webpack_unused_export__ = AssociateOpsItemRelatedItem$;
__webpack_unused_export__ = AssociateOpsItemRelatedItemCommand;
__webpack_unused_export__ = AssociateOpsItemRelatedItemRequest$;
__webpack_unused_export__ = AssociateOpsItemRelatedItemResponse$;
__webpack_unused_export__ = AssociatedInstances;
__webpack_unused_export__ = AssociatedInstances$;
__webpack_unused_export__ = Association$;
__webpack_unused_export__ = AssociationAlreadyExists;
__webpack_unused_export__ = AssociationAlreadyExists$;
__webpack_unused_export__ = AssociationComplianceSeverity;
__webpack_unused_export__ = AssociationDescription$;
__webpack_unused_export__ = AssociationDoesNotExist;
__webpack_unused_export__ = AssociationDoesNotExist$;
__webpack_unused_export__ = AssociationExecution$;
__webpack_unused_export__ = AssociationExecutionDoesNotExist;
__webpack_unused_export__ = AssociationExecutionDoesNotExist$;
__webpack_unused_export__ = AssociationExecutionFilter$;
__webpack_unused_export__ = AssociationExecutionFilterKey;
__webpack_unused_export__ = AssociationExecutionTarget$;
__webpack_unused_export__ = AssociationExecutionTargetsFilter$;
__webpack_unused_export__ = AssociationExecutionTargetsFilterKey;
__webpack_unused_export__ = AssociationFilter$;
__webpack_unused_export__ = AssociationFilterKey;
__webpack_unused_export__ = AssociationFilterOperatorType;
__webpack_unused_export__ = AssociationLimitExceeded;
__webpack_unused_export__ = AssociationLimitExceeded$;
__webpack_unused_export__ = AssociationOverview$;
__webpack_unused_export__ = AssociationStatus$;
__webpack_unused_export__ = AssociationStatusName;
__webpack_unused_export__ = AssociationSyncCompliance;
__webpack_unused_export__ = AssociationVersionInfo$;
__webpack_unused_export__ = AssociationVersionLimitExceeded;
__webpack_unused_export__ = AssociationVersionLimitExceeded$;
__webpack_unused_export__ = AttachmentContent$;
__webpack_unused_export__ = AttachmentHashType;
__webpack_unused_export__ = AttachmentInformation$;
__webpack_unused_export__ = AttachmentsSource$;
__webpack_unused_export__ = AttachmentsSourceKey;
__webpack_unused_export__ = AutomationDefinitionNotApprovedException;
__webpack_unused_export__ = AutomationDefinitionNotApprovedException$;
__webpack_unused_export__ = AutomationDefinitionNotFoundException;
__webpack_unused_export__ = AutomationDefinitionNotFoundException$;
__webpack_unused_export__ = AutomationDefinitionVersionNotFoundException;
__webpack_unused_export__ = AutomationDefinitionVersionNotFoundException$;
__webpack_unused_export__ = AutomationExecution$;
__webpack_unused_export__ = AutomationExecutionFilter$;
__webpack_unused_export__ = AutomationExecutionFilterKey;
__webpack_unused_export__ = AutomationExecutionInputs$;
__webpack_unused_export__ = AutomationExecutionLimitExceededException;
__webpack_unused_export__ = AutomationExecutionLimitExceededException$;
__webpack_unused_export__ = AutomationExecutionMetadata$;
__webpack_unused_export__ = AutomationExecutionNotFoundException;
__webpack_unused_export__ = AutomationExecutionNotFoundException$;
__webpack_unused_export__ = AutomationExecutionPreview$;
__webpack_unused_export__ = AutomationExecutionStatus;
__webpack_unused_export__ = AutomationStepNotFoundException;
__webpack_unused_export__ = AutomationStepNotFoundException$;
__webpack_unused_export__ = AutomationSubtype;
__webpack_unused_export__ = AutomationType;
__webpack_unused_export__ = AzureConfiguration$;
__webpack_unused_export__ = AzureSubscription$;
__webpack_unused_export__ = BaselineOverride$;
__webpack_unused_export__ = CalendarState;
__webpack_unused_export__ = CancelCommand$;
__webpack_unused_export__ = CancelCommandCommand;
__webpack_unused_export__ = CancelCommandRequest$;
__webpack_unused_export__ = CancelCommandResult$;
__webpack_unused_export__ = CancelMaintenanceWindowExecution$;
__webpack_unused_export__ = CancelMaintenanceWindowExecutionCommand;
__webpack_unused_export__ = CancelMaintenanceWindowExecutionRequest$;
__webpack_unused_export__ = CancelMaintenanceWindowExecutionResult$;
__webpack_unused_export__ = CloudConnectorConfiguration$;
__webpack_unused_export__ = CloudConnectorFilter$;
__webpack_unused_export__ = CloudConnectorFilterKey;
__webpack_unused_export__ = CloudConnectorSummary$;
__webpack_unused_export__ = CloudWatchOutputConfig$;
__webpack_unused_export__ = Command$;
__webpack_unused_export__ = CommandFilter$;
__webpack_unused_export__ = CommandFilterKey;
__webpack_unused_export__ = CommandInvocation$;
__webpack_unused_export__ = CommandInvocationStatus;
__webpack_unused_export__ = CommandPlugin$;
__webpack_unused_export__ = CommandPluginStatus;
__webpack_unused_export__ = CommandStatus;
__webpack_unused_export__ = ComplianceExecutionSummary$;
__webpack_unused_export__ = ComplianceItem$;
__webpack_unused_export__ = ComplianceItemEntry$;
__webpack_unused_export__ = ComplianceQueryOperatorType;
__webpack_unused_export__ = ComplianceSeverity;
__webpack_unused_export__ = ComplianceStatus;
__webpack_unused_export__ = ComplianceStringFilter$;
__webpack_unused_export__ = ComplianceSummaryItem$;
__webpack_unused_export__ = ComplianceTypeCountLimitExceededException;
__webpack_unused_export__ = ComplianceTypeCountLimitExceededException$;
__webpack_unused_export__ = ComplianceUploadType;
__webpack_unused_export__ = CompliantSummary$;
__webpack_unused_export__ = ConfigurationTargets$;
__webpack_unused_export__ = ConflictException;
__webpack_unused_export__ = ConflictException$;
__webpack_unused_export__ = ConnectionStatus;
__webpack_unused_export__ = CreateActivation$;
__webpack_unused_export__ = CreateActivationCommand;
__webpack_unused_export__ = CreateActivationRequest$;
__webpack_unused_export__ = CreateActivationResult$;
__webpack_unused_export__ = CreateAssociation$;
__webpack_unused_export__ = CreateAssociationBatch$;
__webpack_unused_export__ = CreateAssociationBatchCommand;
__webpack_unused_export__ = CreateAssociationBatchRequest$;
__webpack_unused_export__ = CreateAssociationBatchRequestEntry$;
__webpack_unused_export__ = CreateAssociationBatchResult$;
__webpack_unused_export__ = CreateAssociationCommand;
__webpack_unused_export__ = CreateAssociationRequest$;
__webpack_unused_export__ = CreateAssociationResult$;
__webpack_unused_export__ = CreateCloudConnector$;
__webpack_unused_export__ = CreateCloudConnectorCommand;
__webpack_unused_export__ = CreateCloudConnectorRequest$;
__webpack_unused_export__ = CreateCloudConnectorResult$;
__webpack_unused_export__ = CreateDocument$;
__webpack_unused_export__ = CreateDocumentCommand;
__webpack_unused_export__ = CreateDocumentRequest$;
__webpack_unused_export__ = CreateDocumentResult$;
__webpack_unused_export__ = CreateMaintenanceWindow$;
__webpack_unused_export__ = CreateMaintenanceWindowCommand;
__webpack_unused_export__ = CreateMaintenanceWindowRequest$;
__webpack_unused_export__ = CreateMaintenanceWindowResult$;
__webpack_unused_export__ = CreateOpsItem$;
__webpack_unused_export__ = CreateOpsItemCommand;
__webpack_unused_export__ = CreateOpsItemRequest$;
__webpack_unused_export__ = CreateOpsItemResponse$;
__webpack_unused_export__ = CreateOpsMetadata$;
__webpack_unused_export__ = CreateOpsMetadataCommand;
__webpack_unused_export__ = CreateOpsMetadataRequest$;
__webpack_unused_export__ = CreateOpsMetadataResult$;
__webpack_unused_export__ = CreatePatchBaseline$;
__webpack_unused_export__ = CreatePatchBaselineCommand;
__webpack_unused_export__ = CreatePatchBaselineRequest$;
__webpack_unused_export__ = CreatePatchBaselineResult$;
__webpack_unused_export__ = CreateResourceDataSync$;
__webpack_unused_export__ = CreateResourceDataSyncCommand;
__webpack_unused_export__ = CreateResourceDataSyncRequest$;
__webpack_unused_export__ = CreateResourceDataSyncResult$;
__webpack_unused_export__ = Credentials$;
__webpack_unused_export__ = CustomSchemaCountLimitExceededException;
__webpack_unused_export__ = CustomSchemaCountLimitExceededException$;
__webpack_unused_export__ = DHMCPermissionModel;
__webpack_unused_export__ = DeleteActivation$;
__webpack_unused_export__ = DeleteActivationCommand;
__webpack_unused_export__ = DeleteActivationRequest$;
__webpack_unused_export__ = DeleteActivationResult$;
__webpack_unused_export__ = DeleteAssociation$;
__webpack_unused_export__ = DeleteAssociationCommand;
__webpack_unused_export__ = DeleteAssociationRequest$;
__webpack_unused_export__ = DeleteAssociationResult$;
__webpack_unused_export__ = DeleteCloudConnector$;
__webpack_unused_export__ = DeleteCloudConnectorCommand;
__webpack_unused_export__ = DeleteCloudConnectorRequest$;
__webpack_unused_export__ = DeleteCloudConnectorResult$;
__webpack_unused_export__ = DeleteDocument$;
__webpack_unused_export__ = DeleteDocumentCommand;
__webpack_unused_export__ = DeleteDocumentRequest$;
__webpack_unused_export__ = DeleteDocumentResult$;
__webpack_unused_export__ = DeleteInventory$;
__webpack_unused_export__ = DeleteInventoryCommand;
__webpack_unused_export__ = DeleteInventoryRequest$;
__webpack_unused_export__ = DeleteInventoryResult$;
__webpack_unused_export__ = DeleteMaintenanceWindow$;
__webpack_unused_export__ = DeleteMaintenanceWindowCommand;
__webpack_unused_export__ = DeleteMaintenanceWindowRequest$;
__webpack_unused_export__ = DeleteMaintenanceWindowResult$;
__webpack_unused_export__ = DeleteOpsItem$;
__webpack_unused_export__ = DeleteOpsItemCommand;
__webpack_unused_export__ = DeleteOpsItemRequest$;
__webpack_unused_export__ = DeleteOpsItemResponse$;
__webpack_unused_export__ = DeleteOpsMetadata$;
__webpack_unused_export__ = DeleteOpsMetadataCommand;
__webpack_unused_export__ = DeleteOpsMetadataRequest$;
__webpack_unused_export__ = DeleteOpsMetadataResult$;
__webpack_unused_export__ = DeleteParameter$;
__webpack_unused_export__ = DeleteParameterCommand;
__webpack_unused_export__ = DeleteParameterRequest$;
__webpack_unused_export__ = DeleteParameterResult$;
__webpack_unused_export__ = DeleteParameters$;
__webpack_unused_export__ = DeleteParametersCommand;
__webpack_unused_export__ = DeleteParametersRequest$;
__webpack_unused_export__ = DeleteParametersResult$;
__webpack_unused_export__ = DeletePatchBaseline$;
__webpack_unused_export__ = DeletePatchBaselineCommand;
__webpack_unused_export__ = DeletePatchBaselineRequest$;
__webpack_unused_export__ = DeletePatchBaselineResult$;
__webpack_unused_export__ = DeleteResourceDataSync$;
__webpack_unused_export__ = DeleteResourceDataSyncCommand;
__webpack_unused_export__ = DeleteResourceDataSyncRequest$;
__webpack_unused_export__ = DeleteResourceDataSyncResult$;
__webpack_unused_export__ = DeleteResourcePolicy$;
__webpack_unused_export__ = DeleteResourcePolicyCommand;
__webpack_unused_export__ = DeleteResourcePolicyRequest$;
__webpack_unused_export__ = DeleteResourcePolicyResponse$;
__webpack_unused_export__ = DeletionMode;
__webpack_unused_export__ = DeregisterDefaultHostManagementConfiguration$;
__webpack_unused_export__ = DeregisterDefaultHostManagementConfigurationCommand;
__webpack_unused_export__ = DeregisterDefaultHostManagementConfigurationRequest$;
__webpack_unused_export__ = DeregisterDefaultHostManagementConfigurationResult$;
__webpack_unused_export__ = DeregisterManagedInstance$;
__webpack_unused_export__ = DeregisterManagedInstanceCommand;
__webpack_unused_export__ = DeregisterManagedInstanceRequest$;
__webpack_unused_export__ = DeregisterManagedInstanceResult$;
__webpack_unused_export__ = DeregisterPatchBaselineForPatchGroup$;
__webpack_unused_export__ = DeregisterPatchBaselineForPatchGroupCommand;
__webpack_unused_export__ = DeregisterPatchBaselineForPatchGroupRequest$;
__webpack_unused_export__ = DeregisterPatchBaselineForPatchGroupResult$;
__webpack_unused_export__ = DeregisterTargetFromMaintenanceWindow$;
__webpack_unused_export__ = DeregisterTargetFromMaintenanceWindowCommand;
__webpack_unused_export__ = DeregisterTargetFromMaintenanceWindowRequest$;
__webpack_unused_export__ = DeregisterTargetFromMaintenanceWindowResult$;
__webpack_unused_export__ = DeregisterTaskFromMaintenanceWindow$;
__webpack_unused_export__ = DeregisterTaskFromMaintenanceWindowCommand;
__webpack_unused_export__ = DeregisterTaskFromMaintenanceWindowRequest$;
__webpack_unused_export__ = DeregisterTaskFromMaintenanceWindowResult$;
__webpack_unused_export__ = DescribeActivations$;
__webpack_unused_export__ = DescribeActivationsCommand;
__webpack_unused_export__ = DescribeActivationsFilter$;
__webpack_unused_export__ = DescribeActivationsFilterKeys;
__webpack_unused_export__ = DescribeActivationsRequest$;
__webpack_unused_export__ = DescribeActivationsResult$;
__webpack_unused_export__ = DescribeAssociation$;
__webpack_unused_export__ = DescribeAssociationCommand;
__webpack_unused_export__ = DescribeAssociationExecutionTargets$;
__webpack_unused_export__ = DescribeAssociationExecutionTargetsCommand;
__webpack_unused_export__ = DescribeAssociationExecutionTargetsRequest$;
__webpack_unused_export__ = DescribeAssociationExecutionTargetsResult$;
__webpack_unused_export__ = DescribeAssociationExecutions$;
__webpack_unused_export__ = DescribeAssociationExecutionsCommand;
__webpack_unused_export__ = DescribeAssociationExecutionsRequest$;
__webpack_unused_export__ = DescribeAssociationExecutionsResult$;
__webpack_unused_export__ = DescribeAssociationRequest$;
__webpack_unused_export__ = DescribeAssociationResult$;
__webpack_unused_export__ = DescribeAutomationExecutions$;
__webpack_unused_export__ = DescribeAutomationExecutionsCommand;
__webpack_unused_export__ = DescribeAutomationExecutionsRequest$;
__webpack_unused_export__ = DescribeAutomationExecutionsResult$;
__webpack_unused_export__ = DescribeAutomationStepExecutions$;
__webpack_unused_export__ = DescribeAutomationStepExecutionsCommand;
__webpack_unused_export__ = DescribeAutomationStepExecutionsRequest$;
__webpack_unused_export__ = DescribeAutomationStepExecutionsResult$;
__webpack_unused_export__ = DescribeAvailablePatches$;
__webpack_unused_export__ = DescribeAvailablePatchesCommand;
__webpack_unused_export__ = DescribeAvailablePatchesRequest$;
__webpack_unused_export__ = DescribeAvailablePatchesResult$;
__webpack_unused_export__ = DescribeDocument$;
__webpack_unused_export__ = DescribeDocumentCommand;
__webpack_unused_export__ = DescribeDocumentPermission$;
__webpack_unused_export__ = DescribeDocumentPermissionCommand;
__webpack_unused_export__ = DescribeDocumentPermissionRequest$;
__webpack_unused_export__ = DescribeDocumentPermissionResponse$;
__webpack_unused_export__ = DescribeDocumentRequest$;
__webpack_unused_export__ = DescribeDocumentResult$;
__webpack_unused_export__ = DescribeEffectiveInstanceAssociations$;
__webpack_unused_export__ = DescribeEffectiveInstanceAssociationsCommand;
__webpack_unused_export__ = DescribeEffectiveInstanceAssociationsRequest$;
__webpack_unused_export__ = DescribeEffectiveInstanceAssociationsResult$;
__webpack_unused_export__ = DescribeEffectivePatchesForPatchBaseline$;
__webpack_unused_export__ = DescribeEffectivePatchesForPatchBaselineCommand;
__webpack_unused_export__ = DescribeEffectivePatchesForPatchBaselineRequest$;
__webpack_unused_export__ = DescribeEffectivePatchesForPatchBaselineResult$;
__webpack_unused_export__ = DescribeInstanceAssociationsStatus$;
__webpack_unused_export__ = DescribeInstanceAssociationsStatusCommand;
__webpack_unused_export__ = DescribeInstanceAssociationsStatusRequest$;
__webpack_unused_export__ = DescribeInstanceAssociationsStatusResult$;
__webpack_unused_export__ = DescribeInstanceInformation$;
__webpack_unused_export__ = DescribeInstanceInformationCommand;
__webpack_unused_export__ = DescribeInstanceInformationRequest$;
__webpack_unused_export__ = DescribeInstanceInformationResult$;
__webpack_unused_export__ = DescribeInstancePatchStates$;
__webpack_unused_export__ = DescribeInstancePatchStatesCommand;
__webpack_unused_export__ = DescribeInstancePatchStatesForPatchGroup$;
__webpack_unused_export__ = DescribeInstancePatchStatesForPatchGroupCommand;
__webpack_unused_export__ = DescribeInstancePatchStatesForPatchGroupRequest$;
__webpack_unused_export__ = DescribeInstancePatchStatesForPatchGroupResult$;
__webpack_unused_export__ = DescribeInstancePatchStatesRequest$;
__webpack_unused_export__ = DescribeInstancePatchStatesResult$;
__webpack_unused_export__ = DescribeInstancePatches$;
__webpack_unused_export__ = DescribeInstancePatchesCommand;
__webpack_unused_export__ = DescribeInstancePatchesRequest$;
__webpack_unused_export__ = DescribeInstancePatchesResult$;
__webpack_unused_export__ = DescribeInstanceProperties$;
__webpack_unused_export__ = DescribeInstancePropertiesCommand;
__webpack_unused_export__ = DescribeInstancePropertiesRequest$;
__webpack_unused_export__ = DescribeInstancePropertiesResult$;
__webpack_unused_export__ = DescribeInventoryDeletions$;
__webpack_unused_export__ = DescribeInventoryDeletionsCommand;
__webpack_unused_export__ = DescribeInventoryDeletionsRequest$;
__webpack_unused_export__ = DescribeInventoryDeletionsResult$;
__webpack_unused_export__ = DescribeMaintenanceWindowExecutionTaskInvocations$;
__webpack_unused_export__ = DescribeMaintenanceWindowExecutionTaskInvocationsCommand;
__webpack_unused_export__ = DescribeMaintenanceWindowExecutionTaskInvocationsRequest$;
__webpack_unused_export__ = DescribeMaintenanceWindowExecutionTaskInvocationsResult$;
__webpack_unused_export__ = DescribeMaintenanceWindowExecutionTasks$;
__webpack_unused_export__ = DescribeMaintenanceWindowExecutionTasksCommand;
__webpack_unused_export__ = DescribeMaintenanceWindowExecutionTasksRequest$;
__webpack_unused_export__ = DescribeMaintenanceWindowExecutionTasksResult$;
__webpack_unused_export__ = DescribeMaintenanceWindowExecutions$;
__webpack_unused_export__ = DescribeMaintenanceWindowExecutionsCommand;
__webpack_unused_export__ = DescribeMaintenanceWindowExecutionsRequest$;
__webpack_unused_export__ = DescribeMaintenanceWindowExecutionsResult$;
__webpack_unused_export__ = DescribeMaintenanceWindowSchedule$;
__webpack_unused_export__ = DescribeMaintenanceWindowScheduleCommand;
__webpack_unused_export__ = DescribeMaintenanceWindowScheduleRequest$;
__webpack_unused_export__ = DescribeMaintenanceWindowScheduleResult$;
__webpack_unused_export__ = DescribeMaintenanceWindowTargets$;
__webpack_unused_export__ = DescribeMaintenanceWindowTargetsCommand;
__webpack_unused_export__ = DescribeMaintenanceWindowTargetsRequest$;
__webpack_unused_export__ = DescribeMaintenanceWindowTargetsResult$;
__webpack_unused_export__ = DescribeMaintenanceWindowTasks$;
__webpack_unused_export__ = DescribeMaintenanceWindowTasksCommand;
__webpack_unused_export__ = DescribeMaintenanceWindowTasksRequest$;
__webpack_unused_export__ = DescribeMaintenanceWindowTasksResult$;
__webpack_unused_export__ = DescribeMaintenanceWindows$;
__webpack_unused_export__ = DescribeMaintenanceWindowsCommand;
__webpack_unused_export__ = DescribeMaintenanceWindowsForTarget$;
__webpack_unused_export__ = DescribeMaintenanceWindowsForTargetCommand;
__webpack_unused_export__ = DescribeMaintenanceWindowsForTargetRequest$;
__webpack_unused_export__ = DescribeMaintenanceWindowsForTargetResult$;
__webpack_unused_export__ = DescribeMaintenanceWindowsRequest$;
__webpack_unused_export__ = DescribeMaintenanceWindowsResult$;
__webpack_unused_export__ = DescribeOpsItems$;
__webpack_unused_export__ = DescribeOpsItemsCommand;
__webpack_unused_export__ = DescribeOpsItemsRequest$;
__webpack_unused_export__ = DescribeOpsItemsResponse$;
__webpack_unused_export__ = DescribeParameters$;
__webpack_unused_export__ = DescribeParametersCommand;
__webpack_unused_export__ = DescribeParametersRequest$;
__webpack_unused_export__ = DescribeParametersResult$;
__webpack_unused_export__ = DescribePatchBaselines$;
__webpack_unused_export__ = DescribePatchBaselinesCommand;
__webpack_unused_export__ = DescribePatchBaselinesRequest$;
__webpack_unused_export__ = DescribePatchBaselinesResult$;
__webpack_unused_export__ = DescribePatchGroupState$;
__webpack_unused_export__ = DescribePatchGroupStateCommand;
__webpack_unused_export__ = DescribePatchGroupStateRequest$;
__webpack_unused_export__ = DescribePatchGroupStateResult$;
__webpack_unused_export__ = DescribePatchGroups$;
__webpack_unused_export__ = DescribePatchGroupsCommand;
__webpack_unused_export__ = DescribePatchGroupsRequest$;
__webpack_unused_export__ = DescribePatchGroupsResult$;
__webpack_unused_export__ = DescribePatchProperties$;
__webpack_unused_export__ = DescribePatchPropertiesCommand;
__webpack_unused_export__ = DescribePatchPropertiesRequest$;
__webpack_unused_export__ = DescribePatchPropertiesResult$;
__webpack_unused_export__ = DescribeSessions$;
__webpack_unused_export__ = DescribeSessionsCommand;
__webpack_unused_export__ = DescribeSessionsRequest$;
__webpack_unused_export__ = DescribeSessionsResponse$;
__webpack_unused_export__ = DisassociateOpsItemRelatedItem$;
__webpack_unused_export__ = DisassociateOpsItemRelatedItemCommand;
__webpack_unused_export__ = DisassociateOpsItemRelatedItemRequest$;
__webpack_unused_export__ = DisassociateOpsItemRelatedItemResponse$;
__webpack_unused_export__ = DocumentAlreadyExists;
__webpack_unused_export__ = DocumentAlreadyExists$;
__webpack_unused_export__ = DocumentDefaultVersionDescription$;
__webpack_unused_export__ = DocumentDescription$;
__webpack_unused_export__ = DocumentFilter$;
__webpack_unused_export__ = DocumentFilterKey;
__webpack_unused_export__ = DocumentFormat;
__webpack_unused_export__ = DocumentHashType;
__webpack_unused_export__ = DocumentIdentifier$;
__webpack_unused_export__ = DocumentKeyValuesFilter$;
__webpack_unused_export__ = DocumentLimitExceeded;
__webpack_unused_export__ = DocumentLimitExceeded$;
__webpack_unused_export__ = DocumentMetadataEnum;
__webpack_unused_export__ = DocumentMetadataResponseInfo$;
__webpack_unused_export__ = DocumentParameter$;
__webpack_unused_export__ = DocumentParameterType;
__webpack_unused_export__ = DocumentPermissionLimit;
__webpack_unused_export__ = DocumentPermissionLimit$;
__webpack_unused_export__ = DocumentPermissionType;
__webpack_unused_export__ = DocumentRequires$;
__webpack_unused_export__ = DocumentReviewAction;
__webpack_unused_export__ = DocumentReviewCommentSource$;
__webpack_unused_export__ = DocumentReviewCommentType;
__webpack_unused_export__ = DocumentReviewerResponseSource$;
__webpack_unused_export__ = DocumentReviews$;
__webpack_unused_export__ = DocumentStatus;
__webpack_unused_export__ = DocumentType;
__webpack_unused_export__ = DocumentVersionInfo$;
__webpack_unused_export__ = DocumentVersionLimitExceeded;
__webpack_unused_export__ = DocumentVersionLimitExceeded$;
__webpack_unused_export__ = DoesNotExistException;
__webpack_unused_export__ = DoesNotExistException$;
__webpack_unused_export__ = DuplicateDocumentContent;
__webpack_unused_export__ = DuplicateDocumentContent$;
__webpack_unused_export__ = DuplicateDocumentVersionName;
__webpack_unused_export__ = DuplicateDocumentVersionName$;
__webpack_unused_export__ = DuplicateInstanceId;
__webpack_unused_export__ = DuplicateInstanceId$;
__webpack_unused_export__ = EffectivePatch$;
__webpack_unused_export__ = ExecutionInputs$;
__webpack_unused_export__ = ExecutionMode;
__webpack_unused_export__ = ExecutionPreview$;
__webpack_unused_export__ = ExecutionPreviewStatus;
__webpack_unused_export__ = ExternalAlarmState;
__webpack_unused_export__ = FailedCreateAssociation$;
__webpack_unused_export__ = FailureDetails$;
__webpack_unused_export__ = Fault;
__webpack_unused_export__ = FeatureNotAvailableException;
__webpack_unused_export__ = FeatureNotAvailableException$;
__webpack_unused_export__ = GcpConfiguration$;
__webpack_unused_export__ = GcpConfigurationTargets$;
__webpack_unused_export__ = GcpProject$;
__webpack_unused_export__ = GetAccessToken$;
__webpack_unused_export__ = GetAccessTokenCommand;
__webpack_unused_export__ = GetAccessTokenRequest$;
__webpack_unused_export__ = GetAccessTokenResponse$;
__webpack_unused_export__ = GetAutomationExecution$;
__webpack_unused_export__ = GetAutomationExecutionCommand;
__webpack_unused_export__ = GetAutomationExecutionRequest$;
__webpack_unused_export__ = GetAutomationExecutionResult$;
__webpack_unused_export__ = GetCalendarState$;
__webpack_unused_export__ = GetCalendarStateCommand;
__webpack_unused_export__ = GetCalendarStateRequest$;
__webpack_unused_export__ = GetCalendarStateResponse$;
__webpack_unused_export__ = GetCloudConnector$;
__webpack_unused_export__ = GetCloudConnectorCommand;
__webpack_unused_export__ = GetCloudConnectorRequest$;
__webpack_unused_export__ = GetCloudConnectorResult$;
__webpack_unused_export__ = GetCommandInvocation$;
__webpack_unused_export__ = GetCommandInvocationCommand;
__webpack_unused_export__ = GetCommandInvocationRequest$;
__webpack_unused_export__ = GetCommandInvocationResult$;
__webpack_unused_export__ = GetConnectionStatus$;
__webpack_unused_export__ = GetConnectionStatusCommand;
__webpack_unused_export__ = GetConnectionStatusRequest$;
__webpack_unused_export__ = GetConnectionStatusResponse$;
__webpack_unused_export__ = GetDefaultPatchBaseline$;
__webpack_unused_export__ = GetDefaultPatchBaselineCommand;
__webpack_unused_export__ = GetDefaultPatchBaselineRequest$;
__webpack_unused_export__ = GetDefaultPatchBaselineResult$;
__webpack_unused_export__ = GetDeployablePatchSnapshotForInstance$;
__webpack_unused_export__ = GetDeployablePatchSnapshotForInstanceCommand;
__webpack_unused_export__ = GetDeployablePatchSnapshotForInstanceRequest$;
__webpack_unused_export__ = GetDeployablePatchSnapshotForInstanceResult$;
__webpack_unused_export__ = GetDocument$;
__webpack_unused_export__ = GetDocumentCommand;
__webpack_unused_export__ = GetDocumentRequest$;
__webpack_unused_export__ = GetDocumentResult$;
__webpack_unused_export__ = GetExecutionPreview$;
__webpack_unused_export__ = GetExecutionPreviewCommand;
__webpack_unused_export__ = GetExecutionPreviewRequest$;
__webpack_unused_export__ = GetExecutionPreviewResponse$;
__webpack_unused_export__ = GetInventory$;
__webpack_unused_export__ = GetInventoryCommand;
__webpack_unused_export__ = GetInventoryRequest$;
__webpack_unused_export__ = GetInventoryResult$;
__webpack_unused_export__ = GetInventorySchema$;
__webpack_unused_export__ = GetInventorySchemaCommand;
__webpack_unused_export__ = GetInventorySchemaRequest$;
__webpack_unused_export__ = GetInventorySchemaResult$;
__webpack_unused_export__ = GetMaintenanceWindow$;
__webpack_unused_export__ = GetMaintenanceWindowCommand;
__webpack_unused_export__ = GetMaintenanceWindowExecution$;
__webpack_unused_export__ = GetMaintenanceWindowExecutionCommand;
__webpack_unused_export__ = GetMaintenanceWindowExecutionRequest$;
__webpack_unused_export__ = GetMaintenanceWindowExecutionResult$;
__webpack_unused_export__ = GetMaintenanceWindowExecutionTask$;
__webpack_unused_export__ = GetMaintenanceWindowExecutionTaskCommand;
__webpack_unused_export__ = GetMaintenanceWindowExecutionTaskInvocation$;
__webpack_unused_export__ = GetMaintenanceWindowExecutionTaskInvocationCommand;
__webpack_unused_export__ = GetMaintenanceWindowExecutionTaskInvocationRequest$;
__webpack_unused_export__ = GetMaintenanceWindowExecutionTaskInvocationResult$;
__webpack_unused_export__ = GetMaintenanceWindowExecutionTaskRequest$;
__webpack_unused_export__ = GetMaintenanceWindowExecutionTaskResult$;
__webpack_unused_export__ = GetMaintenanceWindowRequest$;
__webpack_unused_export__ = GetMaintenanceWindowResult$;
__webpack_unused_export__ = GetMaintenanceWindowTask$;
__webpack_unused_export__ = GetMaintenanceWindowTaskCommand;
__webpack_unused_export__ = GetMaintenanceWindowTaskRequest$;
__webpack_unused_export__ = GetMaintenanceWindowTaskResult$;
__webpack_unused_export__ = GetOpsItem$;
__webpack_unused_export__ = GetOpsItemCommand;
__webpack_unused_export__ = GetOpsItemRequest$;
__webpack_unused_export__ = GetOpsItemResponse$;
__webpack_unused_export__ = GetOpsMetadata$;
__webpack_unused_export__ = GetOpsMetadataCommand;
__webpack_unused_export__ = GetOpsMetadataRequest$;
__webpack_unused_export__ = GetOpsMetadataResult$;
__webpack_unused_export__ = GetOpsSummary$;
__webpack_unused_export__ = GetOpsSummaryCommand;
__webpack_unused_export__ = GetOpsSummaryRequest$;
__webpack_unused_export__ = GetOpsSummaryResult$;
__webpack_unused_export__ = GetParameter$;
__webpack_unused_export__ = GetParameterCommand;
__webpack_unused_export__ = GetParameterHistory$;
__webpack_unused_export__ = GetParameterHistoryCommand;
__webpack_unused_export__ = GetParameterHistoryRequest$;
__webpack_unused_export__ = GetParameterHistoryResult$;
__webpack_unused_export__ = GetParameterRequest$;
__webpack_unused_export__ = GetParameterResult$;
__webpack_unused_export__ = GetParameters$;
__webpack_unused_export__ = GetParametersByPath$;
__webpack_unused_export__ = GetParametersByPathCommand;
__webpack_unused_export__ = GetParametersByPathRequest$;
__webpack_unused_export__ = GetParametersByPathResult$;
__webpack_unused_export__ = GetParametersCommand;
__webpack_unused_export__ = GetParametersRequest$;
__webpack_unused_export__ = GetParametersResult$;
__webpack_unused_export__ = GetPatchBaseline$;
__webpack_unused_export__ = GetPatchBaselineCommand;
__webpack_unused_export__ = GetPatchBaselineForPatchGroup$;
__webpack_unused_export__ = GetPatchBaselineForPatchGroupCommand;
__webpack_unused_export__ = GetPatchBaselineForPatchGroupRequest$;
__webpack_unused_export__ = GetPatchBaselineForPatchGroupResult$;
__webpack_unused_export__ = GetPatchBaselineRequest$;
__webpack_unused_export__ = GetPatchBaselineResult$;
__webpack_unused_export__ = GetResourcePolicies$;
__webpack_unused_export__ = GetResourcePoliciesCommand;
__webpack_unused_export__ = GetResourcePoliciesRequest$;
__webpack_unused_export__ = GetResourcePoliciesResponse$;
__webpack_unused_export__ = GetResourcePoliciesResponseEntry$;
__webpack_unused_export__ = GetServiceSetting$;
__webpack_unused_export__ = GetServiceSettingCommand;
__webpack_unused_export__ = GetServiceSettingRequest$;
__webpack_unused_export__ = GetServiceSettingResult$;
__webpack_unused_export__ = HierarchyLevelLimitExceededException;
__webpack_unused_export__ = HierarchyLevelLimitExceededException$;
__webpack_unused_export__ = HierarchyTypeMismatchException;
__webpack_unused_export__ = HierarchyTypeMismatchException$;
__webpack_unused_export__ = IdempotentParameterMismatch;
__webpack_unused_export__ = IdempotentParameterMismatch$;
__webpack_unused_export__ = ImpactType;
__webpack_unused_export__ = IncompatiblePolicyException;
__webpack_unused_export__ = IncompatiblePolicyException$;
__webpack_unused_export__ = InstanceAggregatedAssociationOverview$;
__webpack_unused_export__ = InstanceAssociation$;
__webpack_unused_export__ = InstanceAssociationOutputLocation$;
__webpack_unused_export__ = InstanceAssociationOutputUrl$;
__webpack_unused_export__ = InstanceAssociationStatusInfo$;
__webpack_unused_export__ = InstanceInfo$;
__webpack_unused_export__ = InstanceInformation$;
__webpack_unused_export__ = InstanceInformationFilter$;
__webpack_unused_export__ = InstanceInformationFilterKey;
__webpack_unused_export__ = InstanceInformationStringFilter$;
__webpack_unused_export__ = InstancePatchState$;
__webpack_unused_export__ = InstancePatchStateFilter$;
__webpack_unused_export__ = InstancePatchStateOperatorType;
__webpack_unused_export__ = InstanceProperty$;
__webpack_unused_export__ = InstancePropertyFilter$;
__webpack_unused_export__ = InstancePropertyFilterKey;
__webpack_unused_export__ = InstancePropertyFilterOperator;
__webpack_unused_export__ = InstancePropertyStringFilter$;
__webpack_unused_export__ = InternalServerError;
__webpack_unused_export__ = InternalServerError$;
__webpack_unused_export__ = InvalidActivation;
__webpack_unused_export__ = InvalidActivation$;
__webpack_unused_export__ = InvalidActivationId;
__webpack_unused_export__ = InvalidActivationId$;
__webpack_unused_export__ = InvalidAggregatorException;
__webpack_unused_export__ = InvalidAggregatorException$;
__webpack_unused_export__ = InvalidAllowedPatternException;
__webpack_unused_export__ = InvalidAllowedPatternException$;
__webpack_unused_export__ = InvalidAssociation;
__webpack_unused_export__ = InvalidAssociation$;
__webpack_unused_export__ = InvalidAssociationVersion;
__webpack_unused_export__ = InvalidAssociationVersion$;
__webpack_unused_export__ = InvalidAutomationExecutionParametersException;
__webpack_unused_export__ = InvalidAutomationExecutionParametersException$;
__webpack_unused_export__ = InvalidAutomationSignalException;
__webpack_unused_export__ = InvalidAutomationSignalException$;
__webpack_unused_export__ = InvalidAutomationStatusUpdateException;
__webpack_unused_export__ = InvalidAutomationStatusUpdateException$;
__webpack_unused_export__ = InvalidCommandId;
__webpack_unused_export__ = InvalidCommandId$;
__webpack_unused_export__ = InvalidDeleteInventoryParametersException;
__webpack_unused_export__ = InvalidDeleteInventoryParametersException$;
__webpack_unused_export__ = InvalidDeletionIdException;
__webpack_unused_export__ = InvalidDeletionIdException$;
__webpack_unused_export__ = InvalidDocument;
__webpack_unused_export__ = InvalidDocument$;
__webpack_unused_export__ = InvalidDocumentContent;
__webpack_unused_export__ = InvalidDocumentContent$;
__webpack_unused_export__ = InvalidDocumentOperation;
__webpack_unused_export__ = InvalidDocumentOperation$;
__webpack_unused_export__ = InvalidDocumentSchemaVersion;
__webpack_unused_export__ = InvalidDocumentSchemaVersion$;
__webpack_unused_export__ = InvalidDocumentType;
__webpack_unused_export__ = InvalidDocumentType$;
__webpack_unused_export__ = InvalidDocumentVersion;
__webpack_unused_export__ = InvalidDocumentVersion$;
__webpack_unused_export__ = InvalidFilter;
__webpack_unused_export__ = InvalidFilter$;
__webpack_unused_export__ = InvalidFilterKey;
__webpack_unused_export__ = InvalidFilterKey$;
__webpack_unused_export__ = InvalidFilterOption;
__webpack_unused_export__ = InvalidFilterOption$;
__webpack_unused_export__ = InvalidFilterValue;
__webpack_unused_export__ = InvalidFilterValue$;
__webpack_unused_export__ = InvalidInstanceId;
__webpack_unused_export__ = InvalidInstanceId$;
__webpack_unused_export__ = InvalidInstanceInformationFilterValue;
__webpack_unused_export__ = InvalidInstanceInformationFilterValue$;
__webpack_unused_export__ = InvalidInstancePropertyFilterValue;
__webpack_unused_export__ = InvalidInstancePropertyFilterValue$;
__webpack_unused_export__ = InvalidInventoryGroupException;
__webpack_unused_export__ = InvalidInventoryGroupException$;
__webpack_unused_export__ = InvalidInventoryItemContextException;
__webpack_unused_export__ = InvalidInventoryItemContextException$;
__webpack_unused_export__ = InvalidInventoryRequestException;
__webpack_unused_export__ = InvalidInventoryRequestException$;
__webpack_unused_export__ = InvalidItemContentException;
__webpack_unused_export__ = InvalidItemContentException$;
__webpack_unused_export__ = InvalidKeyId;
__webpack_unused_export__ = InvalidKeyId$;
__webpack_unused_export__ = InvalidNextToken;
__webpack_unused_export__ = InvalidNextToken$;
__webpack_unused_export__ = InvalidNotificationConfig;
__webpack_unused_export__ = InvalidNotificationConfig$;
__webpack_unused_export__ = InvalidOptionException;
__webpack_unused_export__ = InvalidOptionException$;
__webpack_unused_export__ = InvalidOutputFolder;
__webpack_unused_export__ = InvalidOutputFolder$;
__webpack_unused_export__ = InvalidOutputLocation;
__webpack_unused_export__ = InvalidOutputLocation$;
__webpack_unused_export__ = InvalidParameters;
__webpack_unused_export__ = InvalidParameters$;
__webpack_unused_export__ = InvalidPermissionType;
__webpack_unused_export__ = InvalidPermissionType$;
__webpack_unused_export__ = InvalidPluginName;
__webpack_unused_export__ = InvalidPluginName$;
__webpack_unused_export__ = InvalidPolicyAttributeException;
__webpack_unused_export__ = InvalidPolicyAttributeException$;
__webpack_unused_export__ = InvalidPolicyTypeException;
__webpack_unused_export__ = InvalidPolicyTypeException$;
__webpack_unused_export__ = InvalidResourceId;
__webpack_unused_export__ = InvalidResourceId$;
__webpack_unused_export__ = InvalidResourceType;
__webpack_unused_export__ = InvalidResourceType$;
__webpack_unused_export__ = InvalidResultAttributeException;
__webpack_unused_export__ = InvalidResultAttributeException$;
__webpack_unused_export__ = InvalidRole;
__webpack_unused_export__ = InvalidRole$;
__webpack_unused_export__ = InvalidSchedule;
__webpack_unused_export__ = InvalidSchedule$;
__webpack_unused_export__ = InvalidTag;
__webpack_unused_export__ = InvalidTag$;
__webpack_unused_export__ = InvalidTarget;
__webpack_unused_export__ = InvalidTarget$;
__webpack_unused_export__ = InvalidTargetMaps;
__webpack_unused_export__ = InvalidTargetMaps$;
__webpack_unused_export__ = InvalidTypeNameException;
__webpack_unused_export__ = InvalidTypeNameException$;
__webpack_unused_export__ = InvalidUpdate;
__webpack_unused_export__ = InvalidUpdate$;
__webpack_unused_export__ = InventoryAggregator$;
__webpack_unused_export__ = InventoryAttributeDataType;
__webpack_unused_export__ = InventoryDeletionStatus;
__webpack_unused_export__ = InventoryDeletionStatusItem$;
__webpack_unused_export__ = InventoryDeletionSummary$;
__webpack_unused_export__ = InventoryDeletionSummaryItem$;
__webpack_unused_export__ = InventoryFilter$;
__webpack_unused_export__ = InventoryGroup$;
__webpack_unused_export__ = InventoryItem$;
__webpack_unused_export__ = InventoryItemAttribute$;
__webpack_unused_export__ = InventoryItemSchema$;
__webpack_unused_export__ = InventoryQueryOperatorType;
__webpack_unused_export__ = InventoryResultEntity$;
__webpack_unused_export__ = InventoryResultItem$;
__webpack_unused_export__ = InventorySchemaDeleteOption;
__webpack_unused_export__ = InvocationDoesNotExist;
__webpack_unused_export__ = InvocationDoesNotExist$;
__webpack_unused_export__ = ItemContentMismatchException;
__webpack_unused_export__ = ItemContentMismatchException$;
__webpack_unused_export__ = ItemSizeLimitExceededException;
__webpack_unused_export__ = ItemSizeLimitExceededException$;
__webpack_unused_export__ = LabelParameterVersion$;
__webpack_unused_export__ = LabelParameterVersionCommand;
__webpack_unused_export__ = LabelParameterVersionRequest$;
__webpack_unused_export__ = LabelParameterVersionResult$;
__webpack_unused_export__ = LastResourceDataSyncStatus;
__webpack_unused_export__ = ListAssociationVersions$;
__webpack_unused_export__ = ListAssociationVersionsCommand;
__webpack_unused_export__ = ListAssociationVersionsRequest$;
__webpack_unused_export__ = ListAssociationVersionsResult$;
__webpack_unused_export__ = ListAssociations$;
__webpack_unused_export__ = ListAssociationsCommand;
__webpack_unused_export__ = ListAssociationsRequest$;
__webpack_unused_export__ = ListAssociationsResult$;
__webpack_unused_export__ = ListCloudConnectors$;
__webpack_unused_export__ = ListCloudConnectorsCommand;
__webpack_unused_export__ = ListCloudConnectorsRequest$;
__webpack_unused_export__ = ListCloudConnectorsResult$;
__webpack_unused_export__ = ListCommandInvocations$;
__webpack_unused_export__ = ListCommandInvocationsCommand;
__webpack_unused_export__ = ListCommandInvocationsRequest$;
__webpack_unused_export__ = ListCommandInvocationsResult$;
__webpack_unused_export__ = ListCommands$;
__webpack_unused_export__ = ListCommandsCommand;
__webpack_unused_export__ = ListCommandsRequest$;
__webpack_unused_export__ = ListCommandsResult$;
__webpack_unused_export__ = ListComplianceItems$;
__webpack_unused_export__ = ListComplianceItemsCommand;
__webpack_unused_export__ = ListComplianceItemsRequest$;
__webpack_unused_export__ = ListComplianceItemsResult$;
__webpack_unused_export__ = ListComplianceSummaries$;
__webpack_unused_export__ = ListComplianceSummariesCommand;
__webpack_unused_export__ = ListComplianceSummariesRequest$;
__webpack_unused_export__ = ListComplianceSummariesResult$;
__webpack_unused_export__ = ListDocumentMetadataHistory$;
__webpack_unused_export__ = ListDocumentMetadataHistoryCommand;
__webpack_unused_export__ = ListDocumentMetadataHistoryRequest$;
__webpack_unused_export__ = ListDocumentMetadataHistoryResponse$;
__webpack_unused_export__ = ListDocumentVersions$;
__webpack_unused_export__ = ListDocumentVersionsCommand;
__webpack_unused_export__ = ListDocumentVersionsRequest$;
__webpack_unused_export__ = ListDocumentVersionsResult$;
__webpack_unused_export__ = ListDocuments$;
__webpack_unused_export__ = ListDocumentsCommand;
__webpack_unused_export__ = ListDocumentsRequest$;
__webpack_unused_export__ = ListDocumentsResult$;
__webpack_unused_export__ = ListInventoryEntries$;
__webpack_unused_export__ = ListInventoryEntriesCommand;
__webpack_unused_export__ = ListInventoryEntriesRequest$;
__webpack_unused_export__ = ListInventoryEntriesResult$;
__webpack_unused_export__ = ListNodes$;
__webpack_unused_export__ = ListNodesCommand;
__webpack_unused_export__ = ListNodesRequest$;
__webpack_unused_export__ = ListNodesResult$;
__webpack_unused_export__ = ListNodesSummary$;
__webpack_unused_export__ = ListNodesSummaryCommand;
__webpack_unused_export__ = ListNodesSummaryRequest$;
__webpack_unused_export__ = ListNodesSummaryResult$;
__webpack_unused_export__ = ListOpsItemEvents$;
__webpack_unused_export__ = ListOpsItemEventsCommand;
__webpack_unused_export__ = ListOpsItemEventsRequest$;
__webpack_unused_export__ = ListOpsItemEventsResponse$;
__webpack_unused_export__ = ListOpsItemRelatedItems$;
__webpack_unused_export__ = ListOpsItemRelatedItemsCommand;
__webpack_unused_export__ = ListOpsItemRelatedItemsRequest$;
__webpack_unused_export__ = ListOpsItemRelatedItemsResponse$;
__webpack_unused_export__ = ListOpsMetadata$;
__webpack_unused_export__ = ListOpsMetadataCommand;
__webpack_unused_export__ = ListOpsMetadataRequest$;
__webpack_unused_export__ = ListOpsMetadataResult$;
__webpack_unused_export__ = ListResourceComplianceSummaries$;
__webpack_unused_export__ = ListResourceComplianceSummariesCommand;
__webpack_unused_export__ = ListResourceComplianceSummariesRequest$;
__webpack_unused_export__ = ListResourceComplianceSummariesResult$;
__webpack_unused_export__ = ListResourceDataSync$;
__webpack_unused_export__ = ListResourceDataSyncCommand;
__webpack_unused_export__ = ListResourceDataSyncRequest$;
__webpack_unused_export__ = ListResourceDataSyncResult$;
__webpack_unused_export__ = ListTagsForResource$;
__webpack_unused_export__ = ListTagsForResourceCommand;
__webpack_unused_export__ = ListTagsForResourceRequest$;
__webpack_unused_export__ = ListTagsForResourceResult$;
__webpack_unused_export__ = LoggingInfo$;
__webpack_unused_export__ = MaintenanceWindowAutomationParameters$;
__webpack_unused_export__ = MaintenanceWindowExecution$;
__webpack_unused_export__ = MaintenanceWindowExecutionStatus;
__webpack_unused_export__ = MaintenanceWindowExecutionTaskIdentity$;
__webpack_unused_export__ = MaintenanceWindowExecutionTaskInvocationIdentity$;
__webpack_unused_export__ = MaintenanceWindowFilter$;
__webpack_unused_export__ = MaintenanceWindowIdentity$;
__webpack_unused_export__ = MaintenanceWindowIdentityForTarget$;
__webpack_unused_export__ = MaintenanceWindowLambdaParameters$;
__webpack_unused_export__ = MaintenanceWindowResourceType;
__webpack_unused_export__ = MaintenanceWindowRunCommandParameters$;
__webpack_unused_export__ = MaintenanceWindowStepFunctionsParameters$;
__webpack_unused_export__ = MaintenanceWindowTarget$;
__webpack_unused_export__ = MaintenanceWindowTask$;
__webpack_unused_export__ = MaintenanceWindowTaskCutoffBehavior;
__webpack_unused_export__ = MaintenanceWindowTaskInvocationParameters$;
__webpack_unused_export__ = MaintenanceWindowTaskParameterValueExpression$;
__webpack_unused_export__ = MaintenanceWindowTaskType;
__webpack_unused_export__ = MalformedResourcePolicyDocumentException;
__webpack_unused_export__ = MalformedResourcePolicyDocumentException$;
__webpack_unused_export__ = ManagedStatus;
__webpack_unused_export__ = MaxDocumentSizeExceeded;
__webpack_unused_export__ = MaxDocumentSizeExceeded$;
__webpack_unused_export__ = MetadataValue$;
__webpack_unused_export__ = ModifyDocumentPermission$;
__webpack_unused_export__ = ModifyDocumentPermissionCommand;
__webpack_unused_export__ = ModifyDocumentPermissionRequest$;
__webpack_unused_export__ = ModifyDocumentPermissionResponse$;
__webpack_unused_export__ = NoLongerSupportedException;
__webpack_unused_export__ = NoLongerSupportedException$;
__webpack_unused_export__ = Node$;
__webpack_unused_export__ = NodeAggregator$;
__webpack_unused_export__ = NodeAggregatorType;
__webpack_unused_export__ = NodeAttributeName;
__webpack_unused_export__ = NodeFilter$;
__webpack_unused_export__ = NodeFilterKey;
__webpack_unused_export__ = NodeFilterOperatorType;
__webpack_unused_export__ = NodeOwnerInfo$;
__webpack_unused_export__ = NodeType$;
__webpack_unused_export__ = NodeTypeName;
__webpack_unused_export__ = NonCompliantSummary$;
__webpack_unused_export__ = NotificationConfig$;
__webpack_unused_export__ = NotificationEvent;
__webpack_unused_export__ = NotificationType;
__webpack_unused_export__ = OperatingSystem;
__webpack_unused_export__ = OpsAggregator$;
__webpack_unused_export__ = OpsEntity$;
__webpack_unused_export__ = OpsEntityItem$;
__webpack_unused_export__ = OpsFilter$;
__webpack_unused_export__ = OpsFilterOperatorType;
__webpack_unused_export__ = OpsItem$;
__webpack_unused_export__ = OpsItemAccessDeniedException;
__webpack_unused_export__ = OpsItemAccessDeniedException$;
__webpack_unused_export__ = OpsItemAlreadyExistsException;
__webpack_unused_export__ = OpsItemAlreadyExistsException$;
__webpack_unused_export__ = OpsItemConflictException;
__webpack_unused_export__ = OpsItemConflictException$;
__webpack_unused_export__ = OpsItemDataType;
__webpack_unused_export__ = OpsItemDataValue$;
__webpack_unused_export__ = OpsItemEventFilter$;
__webpack_unused_export__ = OpsItemEventFilterKey;
__webpack_unused_export__ = OpsItemEventFilterOperator;
__webpack_unused_export__ = OpsItemEventSummary$;
__webpack_unused_export__ = OpsItemFilter$;
__webpack_unused_export__ = OpsItemFilterKey;
__webpack_unused_export__ = OpsItemFilterOperator;
__webpack_unused_export__ = OpsItemIdentity$;
__webpack_unused_export__ = OpsItemInvalidParameterException;
__webpack_unused_export__ = OpsItemInvalidParameterException$;
__webpack_unused_export__ = OpsItemLimitExceededException;
__webpack_unused_export__ = OpsItemLimitExceededException$;
__webpack_unused_export__ = OpsItemNotFoundException;
__webpack_unused_export__ = OpsItemNotFoundException$;
__webpack_unused_export__ = OpsItemNotification$;
__webpack_unused_export__ = OpsItemRelatedItemAlreadyExistsException;
__webpack_unused_export__ = OpsItemRelatedItemAlreadyExistsException$;
__webpack_unused_export__ = OpsItemRelatedItemAssociationNotFoundException;
__webpack_unused_export__ = OpsItemRelatedItemAssociationNotFoundException$;
__webpack_unused_export__ = OpsItemRelatedItemSummary$;
__webpack_unused_export__ = OpsItemRelatedItemsFilter$;
__webpack_unused_export__ = OpsItemRelatedItemsFilterKey;
__webpack_unused_export__ = OpsItemRelatedItemsFilterOperator;
__webpack_unused_export__ = OpsItemStatus;
__webpack_unused_export__ = OpsItemSummary$;
__webpack_unused_export__ = OpsMetadata$;
__webpack_unused_export__ = OpsMetadataAlreadyExistsException;
__webpack_unused_export__ = OpsMetadataAlreadyExistsException$;
__webpack_unused_export__ = OpsMetadataFilter$;
__webpack_unused_export__ = OpsMetadataInvalidArgumentException;
__webpack_unused_export__ = OpsMetadataInvalidArgumentException$;
__webpack_unused_export__ = OpsMetadataKeyLimitExceededException;
__webpack_unused_export__ = OpsMetadataKeyLimitExceededException$;
__webpack_unused_export__ = OpsMetadataLimitExceededException;
__webpack_unused_export__ = OpsMetadataLimitExceededException$;
__webpack_unused_export__ = OpsMetadataNotFoundException;
__webpack_unused_export__ = OpsMetadataNotFoundException$;
__webpack_unused_export__ = OpsMetadataTooManyUpdatesException;
__webpack_unused_export__ = OpsMetadataTooManyUpdatesException$;
__webpack_unused_export__ = OpsResultAttribute$;
__webpack_unused_export__ = OutputSource$;
__webpack_unused_export__ = Parameter$;
__webpack_unused_export__ = ParameterAlreadyExists;
__webpack_unused_export__ = ParameterAlreadyExists$;
__webpack_unused_export__ = ParameterHistory$;
__webpack_unused_export__ = ParameterInlinePolicy$;
__webpack_unused_export__ = ParameterLimitExceeded;
__webpack_unused_export__ = ParameterLimitExceeded$;
__webpack_unused_export__ = ParameterMaxVersionLimitExceeded;
__webpack_unused_export__ = ParameterMaxVersionLimitExceeded$;
__webpack_unused_export__ = ParameterMetadata$;
__webpack_unused_export__ = ParameterNotFound;
__webpack_unused_export__ = ParameterNotFound$;
__webpack_unused_export__ = ParameterPatternMismatchException;
__webpack_unused_export__ = ParameterPatternMismatchException$;
__webpack_unused_export__ = ParameterStringFilter$;
__webpack_unused_export__ = ParameterTier;
__webpack_unused_export__ = ParameterType;
__webpack_unused_export__ = ParameterVersionLabelLimitExceeded;
__webpack_unused_export__ = ParameterVersionLabelLimitExceeded$;
__webpack_unused_export__ = ParameterVersionNotFound;
__webpack_unused_export__ = ParameterVersionNotFound$;
__webpack_unused_export__ = ParametersFilter$;
__webpack_unused_export__ = ParametersFilterKey;
__webpack_unused_export__ = ParentStepDetails$;
__webpack_unused_export__ = Patch$;
__webpack_unused_export__ = PatchAction;
__webpack_unused_export__ = PatchBaselineIdentity$;
__webpack_unused_export__ = PatchComplianceData$;
__webpack_unused_export__ = PatchComplianceDataState;
__webpack_unused_export__ = PatchComplianceLevel;
__webpack_unused_export__ = PatchComplianceStatus;
__webpack_unused_export__ = PatchDeploymentStatus;
__webpack_unused_export__ = PatchFilter$;
__webpack_unused_export__ = PatchFilterGroup$;
__webpack_unused_export__ = PatchFilterKey;
__webpack_unused_export__ = PatchGroupPatchBaselineMapping$;
__webpack_unused_export__ = PatchOperationType;
__webpack_unused_export__ = PatchOrchestratorFilter$;
__webpack_unused_export__ = PatchProperty;
__webpack_unused_export__ = PatchRule$;
__webpack_unused_export__ = PatchRuleGroup$;
__webpack_unused_export__ = PatchSet;
__webpack_unused_export__ = PatchSource$;
__webpack_unused_export__ = PatchStatus$;
__webpack_unused_export__ = PingStatus;
__webpack_unused_export__ = PlatformType;
__webpack_unused_export__ = PoliciesLimitExceededException;
__webpack_unused_export__ = PoliciesLimitExceededException$;
__webpack_unused_export__ = ProgressCounters$;
__webpack_unused_export__ = Provider;
__webpack_unused_export__ = PutComplianceItems$;
__webpack_unused_export__ = PutComplianceItemsCommand;
__webpack_unused_export__ = PutComplianceItemsRequest$;
__webpack_unused_export__ = PutComplianceItemsResult$;
__webpack_unused_export__ = PutInventory$;
__webpack_unused_export__ = PutInventoryCommand;
__webpack_unused_export__ = PutInventoryRequest$;
__webpack_unused_export__ = PutInventoryResult$;
__webpack_unused_export__ = PutParameter$;
__webpack_unused_export__ = PutParameterCommand;
__webpack_unused_export__ = PutParameterRequest$;
__webpack_unused_export__ = PutParameterResult$;
__webpack_unused_export__ = PutResourcePolicy$;
__webpack_unused_export__ = PutResourcePolicyCommand;
__webpack_unused_export__ = PutResourcePolicyRequest$;
__webpack_unused_export__ = PutResourcePolicyResponse$;
__webpack_unused_export__ = RebootOption;
__webpack_unused_export__ = RegisterDefaultHostManagementConfiguration$;
__webpack_unused_export__ = RegisterDefaultHostManagementConfigurationCommand;
__webpack_unused_export__ = RegisterDefaultHostManagementConfigurationRequest$;
__webpack_unused_export__ = RegisterDefaultHostManagementConfigurationResult$;
__webpack_unused_export__ = RegisterDefaultPatchBaseline$;
__webpack_unused_export__ = RegisterDefaultPatchBaselineCommand;
__webpack_unused_export__ = RegisterDefaultPatchBaselineRequest$;
__webpack_unused_export__ = RegisterDefaultPatchBaselineResult$;
__webpack_unused_export__ = RegisterPatchBaselineForPatchGroup$;
__webpack_unused_export__ = RegisterPatchBaselineForPatchGroupCommand;
__webpack_unused_export__ = RegisterPatchBaselineForPatchGroupRequest$;
__webpack_unused_export__ = RegisterPatchBaselineForPatchGroupResult$;
__webpack_unused_export__ = RegisterTargetWithMaintenanceWindow$;
__webpack_unused_export__ = RegisterTargetWithMaintenanceWindowCommand;
__webpack_unused_export__ = RegisterTargetWithMaintenanceWindowRequest$;
__webpack_unused_export__ = RegisterTargetWithMaintenanceWindowResult$;
__webpack_unused_export__ = RegisterTaskWithMaintenanceWindow$;
__webpack_unused_export__ = RegisterTaskWithMaintenanceWindowCommand;
__webpack_unused_export__ = RegisterTaskWithMaintenanceWindowRequest$;
__webpack_unused_export__ = RegisterTaskWithMaintenanceWindowResult$;
__webpack_unused_export__ = RegistrationMetadataItem$;
__webpack_unused_export__ = RelatedOpsItem$;
__webpack_unused_export__ = RemoveTagsFromResource$;
__webpack_unused_export__ = RemoveTagsFromResourceCommand;
__webpack_unused_export__ = RemoveTagsFromResourceRequest$;
__webpack_unused_export__ = RemoveTagsFromResourceResult$;
__webpack_unused_export__ = ResetServiceSetting$;
__webpack_unused_export__ = ResetServiceSettingCommand;
__webpack_unused_export__ = ResetServiceSettingRequest$;
__webpack_unused_export__ = ResetServiceSettingResult$;
__webpack_unused_export__ = ResolvedTargets$;
__webpack_unused_export__ = ResourceComplianceSummaryItem$;
__webpack_unused_export__ = ResourceDataSyncAlreadyExistsException;
__webpack_unused_export__ = ResourceDataSyncAlreadyExistsException$;
__webpack_unused_export__ = ResourceDataSyncAwsOrganizationsSource$;
__webpack_unused_export__ = ResourceDataSyncConflictException;
__webpack_unused_export__ = ResourceDataSyncConflictException$;
__webpack_unused_export__ = ResourceDataSyncCountExceededException;
__webpack_unused_export__ = ResourceDataSyncCountExceededException$;
__webpack_unused_export__ = ResourceDataSyncDestinationDataSharing$;
__webpack_unused_export__ = ResourceDataSyncInvalidConfigurationException;
__webpack_unused_export__ = ResourceDataSyncInvalidConfigurationException$;
__webpack_unused_export__ = ResourceDataSyncItem$;
__webpack_unused_export__ = ResourceDataSyncNotFoundException;
__webpack_unused_export__ = ResourceDataSyncNotFoundException$;
__webpack_unused_export__ = ResourceDataSyncOrganizationalUnit$;
__webpack_unused_export__ = ResourceDataSyncS3Destination$;
__webpack_unused_export__ = ResourceDataSyncS3Format;
__webpack_unused_export__ = ResourceDataSyncSource$;
__webpack_unused_export__ = ResourceDataSyncSourceWithState$;
__webpack_unused_export__ = ResourceInUseException;
__webpack_unused_export__ = ResourceInUseException$;
__webpack_unused_export__ = ResourceLimitExceededException;
__webpack_unused_export__ = ResourceLimitExceededException$;
__webpack_unused_export__ = ResourceNotFoundException;
__webpack_unused_export__ = ResourceNotFoundException$;
__webpack_unused_export__ = ResourcePolicyConflictException;
__webpack_unused_export__ = ResourcePolicyConflictException$;
__webpack_unused_export__ = ResourcePolicyInvalidParameterException;
__webpack_unused_export__ = ResourcePolicyInvalidParameterException$;
__webpack_unused_export__ = ResourcePolicyLimitExceededException;
__webpack_unused_export__ = ResourcePolicyLimitExceededException$;
__webpack_unused_export__ = ResourcePolicyNotFoundException;
__webpack_unused_export__ = ResourcePolicyNotFoundException$;
__webpack_unused_export__ = ResourceType;
__webpack_unused_export__ = ResourceTypeForTagging;
__webpack_unused_export__ = ResultAttribute$;
__webpack_unused_export__ = ResumeSession$;
__webpack_unused_export__ = ResumeSessionCommand;
__webpack_unused_export__ = ResumeSessionRequest$;
__webpack_unused_export__ = ResumeSessionResponse$;
__webpack_unused_export__ = ReviewInformation$;
__webpack_unused_export__ = ReviewStatus;
__webpack_unused_export__ = Runbook$;
__webpack_unused_export__ = S3OutputLocation$;
__webpack_unused_export__ = S3OutputUrl$;
__webpack_unused_export__ = SSM;
exports.jBj = SSMClient;
__webpack_unused_export__ = SSMServiceException;
__webpack_unused_export__ = SSMServiceException$;
__webpack_unused_export__ = ScheduledWindowExecution$;
__webpack_unused_export__ = SendAutomationSignal$;
__webpack_unused_export__ = SendAutomationSignalCommand;
__webpack_unused_export__ = SendAutomationSignalRequest$;
__webpack_unused_export__ = SendAutomationSignalResult$;
__webpack_unused_export__ = SendCommand$;
__webpack_unused_export__ = SendCommandCommand;
__webpack_unused_export__ = SendCommandRequest$;
__webpack_unused_export__ = SendCommandResult$;
__webpack_unused_export__ = ServiceQuotaExceededException;
__webpack_unused_export__ = ServiceQuotaExceededException$;
__webpack_unused_export__ = ServiceSetting$;
__webpack_unused_export__ = ServiceSettingNotFound;
__webpack_unused_export__ = ServiceSettingNotFound$;
__webpack_unused_export__ = Session$;
__webpack_unused_export__ = SessionFilter$;
__webpack_unused_export__ = SessionFilterKey;
__webpack_unused_export__ = SessionManagerOutputUrl$;
__webpack_unused_export__ = SessionState;
__webpack_unused_export__ = SessionStatus;
__webpack_unused_export__ = SeveritySummary$;
__webpack_unused_export__ = SignalType;
__webpack_unused_export__ = SourceType;
__webpack_unused_export__ = StartAccessRequest$;
__webpack_unused_export__ = StartAccessRequestCommand;
__webpack_unused_export__ = StartAccessRequestRequest$;
__webpack_unused_export__ = StartAccessRequestResponse$;
__webpack_unused_export__ = StartAssociationsOnce$;
__webpack_unused_export__ = StartAssociationsOnceCommand;
__webpack_unused_export__ = StartAssociationsOnceRequest$;
__webpack_unused_export__ = StartAssociationsOnceResult$;
__webpack_unused_export__ = StartAutomationExecution$;
__webpack_unused_export__ = StartAutomationExecutionCommand;
__webpack_unused_export__ = StartAutomationExecutionRequest$;
__webpack_unused_export__ = StartAutomationExecutionResult$;
__webpack_unused_export__ = StartChangeRequestExecution$;
__webpack_unused_export__ = StartChangeRequestExecutionCommand;
__webpack_unused_export__ = StartChangeRequestExecutionRequest$;
__webpack_unused_export__ = StartChangeRequestExecutionResult$;
__webpack_unused_export__ = StartExecutionPreview$;
__webpack_unused_export__ = StartExecutionPreviewCommand;
__webpack_unused_export__ = StartExecutionPreviewRequest$;
__webpack_unused_export__ = StartExecutionPreviewResponse$;
__webpack_unused_export__ = StartSession$;
__webpack_unused_export__ = StartSessionCommand;
__webpack_unused_export__ = StartSessionRequest$;
__webpack_unused_export__ = StartSessionResponse$;
__webpack_unused_export__ = StatusUnchanged;
__webpack_unused_export__ = StatusUnchanged$;
__webpack_unused_export__ = StepExecution$;
__webpack_unused_export__ = StepExecutionFilter$;
__webpack_unused_export__ = StepExecutionFilterKey;
__webpack_unused_export__ = StopAutomationExecution$;
__webpack_unused_export__ = StopAutomationExecutionCommand;
__webpack_unused_export__ = StopAutomationExecutionRequest$;
__webpack_unused_export__ = StopAutomationExecutionResult$;
__webpack_unused_export__ = StopType;
__webpack_unused_export__ = SubTypeCountLimitExceededException;
__webpack_unused_export__ = SubTypeCountLimitExceededException$;
__webpack_unused_export__ = Tag$;
__webpack_unused_export__ = Target$;
__webpack_unused_export__ = TargetInUseException;
__webpack_unused_export__ = TargetInUseException$;
__webpack_unused_export__ = TargetLocation$;
__webpack_unused_export__ = TargetNotConnected;
__webpack_unused_export__ = TargetNotConnected$;
__webpack_unused_export__ = TargetPreview$;
__webpack_unused_export__ = TargetsSummary$;
__webpack_unused_export__ = TerminateSession$;
__webpack_unused_export__ = TerminateSessionCommand;
__webpack_unused_export__ = TerminateSessionRequest$;
__webpack_unused_export__ = TerminateSessionResponse$;
__webpack_unused_export__ = ThrottlingException;
__webpack_unused_export__ = ThrottlingException$;
__webpack_unused_export__ = TooManyTagsError;
__webpack_unused_export__ = TooManyTagsError$;
__webpack_unused_export__ = TooManyUpdates;
__webpack_unused_export__ = TooManyUpdates$;
__webpack_unused_export__ = TotalSizeLimitExceededException;
__webpack_unused_export__ = TotalSizeLimitExceededException$;
__webpack_unused_export__ = UnlabelParameterVersion$;
__webpack_unused_export__ = UnlabelParameterVersionCommand;
__webpack_unused_export__ = UnlabelParameterVersionRequest$;
__webpack_unused_export__ = UnlabelParameterVersionResult$;
__webpack_unused_export__ = UnsupportedCalendarException;
__webpack_unused_export__ = UnsupportedCalendarException$;
__webpack_unused_export__ = UnsupportedFeatureRequiredException;
__webpack_unused_export__ = UnsupportedFeatureRequiredException$;
__webpack_unused_export__ = UnsupportedInventoryItemContextException;
__webpack_unused_export__ = UnsupportedInventoryItemContextException$;
__webpack_unused_export__ = UnsupportedInventorySchemaVersionException;
__webpack_unused_export__ = UnsupportedInventorySchemaVersionException$;
__webpack_unused_export__ = UnsupportedOperatingSystem;
__webpack_unused_export__ = UnsupportedOperatingSystem$;
__webpack_unused_export__ = UnsupportedOperationException;
__webpack_unused_export__ = UnsupportedOperationException$;
__webpack_unused_export__ = UnsupportedParameterType;
__webpack_unused_export__ = UnsupportedParameterType$;
__webpack_unused_export__ = UnsupportedPlatformType;
__webpack_unused_export__ = UnsupportedPlatformType$;
__webpack_unused_export__ = UpdateAssociation$;
__webpack_unused_export__ = UpdateAssociationCommand;
__webpack_unused_export__ = UpdateAssociationRequest$;
__webpack_unused_export__ = UpdateAssociationResult$;
__webpack_unused_export__ = UpdateAssociationStatus$;
__webpack_unused_export__ = UpdateAssociationStatusCommand;
__webpack_unused_export__ = UpdateAssociationStatusRequest$;
__webpack_unused_export__ = UpdateAssociationStatusResult$;
__webpack_unused_export__ = UpdateCloudConnector$;
__webpack_unused_export__ = UpdateCloudConnectorCommand;
__webpack_unused_export__ = UpdateCloudConnectorRequest$;
__webpack_unused_export__ = UpdateCloudConnectorResult$;
__webpack_unused_export__ = UpdateDocument$;
__webpack_unused_export__ = UpdateDocumentCommand;
__webpack_unused_export__ = UpdateDocumentDefaultVersion$;
__webpack_unused_export__ = UpdateDocumentDefaultVersionCommand;
__webpack_unused_export__ = UpdateDocumentDefaultVersionRequest$;
__webpack_unused_export__ = UpdateDocumentDefaultVersionResult$;
__webpack_unused_export__ = UpdateDocumentMetadata$;
__webpack_unused_export__ = UpdateDocumentMetadataCommand;
__webpack_unused_export__ = UpdateDocumentMetadataRequest$;
__webpack_unused_export__ = UpdateDocumentMetadataResponse$;
__webpack_unused_export__ = UpdateDocumentRequest$;
__webpack_unused_export__ = UpdateDocumentResult$;
__webpack_unused_export__ = UpdateMaintenanceWindow$;
__webpack_unused_export__ = UpdateMaintenanceWindowCommand;
__webpack_unused_export__ = UpdateMaintenanceWindowRequest$;
__webpack_unused_export__ = UpdateMaintenanceWindowResult$;
__webpack_unused_export__ = UpdateMaintenanceWindowTarget$;
__webpack_unused_export__ = UpdateMaintenanceWindowTargetCommand;
__webpack_unused_export__ = UpdateMaintenanceWindowTargetRequest$;
__webpack_unused_export__ = UpdateMaintenanceWindowTargetResult$;
__webpack_unused_export__ = UpdateMaintenanceWindowTask$;
__webpack_unused_export__ = UpdateMaintenanceWindowTaskCommand;
__webpack_unused_export__ = UpdateMaintenanceWindowTaskRequest$;
__webpack_unused_export__ = UpdateMaintenanceWindowTaskResult$;
__webpack_unused_export__ = UpdateManagedInstanceRole$;
__webpack_unused_export__ = UpdateManagedInstanceRoleCommand;
__webpack_unused_export__ = UpdateManagedInstanceRoleRequest$;
__webpack_unused_export__ = UpdateManagedInstanceRoleResult$;
__webpack_unused_export__ = UpdateOpsItem$;
__webpack_unused_export__ = UpdateOpsItemCommand;
__webpack_unused_export__ = UpdateOpsItemRequest$;
__webpack_unused_export__ = UpdateOpsItemResponse$;
__webpack_unused_export__ = UpdateOpsMetadata$;
__webpack_unused_export__ = UpdateOpsMetadataCommand;
__webpack_unused_export__ = UpdateOpsMetadataRequest$;
__webpack_unused_export__ = UpdateOpsMetadataResult$;
__webpack_unused_export__ = UpdatePatchBaseline$;
__webpack_unused_export__ = UpdatePatchBaselineCommand;
__webpack_unused_export__ = UpdatePatchBaselineRequest$;
__webpack_unused_export__ = UpdatePatchBaselineResult$;
__webpack_unused_export__ = UpdateResourceDataSync$;
__webpack_unused_export__ = UpdateResourceDataSyncCommand;
__webpack_unused_export__ = UpdateResourceDataSyncRequest$;
__webpack_unused_export__ = UpdateResourceDataSyncResult$;
__webpack_unused_export__ = UpdateServiceSetting$;
__webpack_unused_export__ = UpdateServiceSettingCommand;
__webpack_unused_export__ = UpdateServiceSettingRequest$;
__webpack_unused_export__ = UpdateServiceSettingResult$;
__webpack_unused_export__ = ValidateCloudConnector$;
__webpack_unused_export__ = ValidateCloudConnectorCommand;
__webpack_unused_export__ = ValidateCloudConnectorRequest$;
__webpack_unused_export__ = ValidateCloudConnectorResult$;
__webpack_unused_export__ = ValidationException;
__webpack_unused_export__ = ValidationException$;
__webpack_unused_export__ = ValidationFinding$;
__webpack_unused_export__ = ValidationFindingCode;
__webpack_unused_export__ = ValidationFindingScope$;
__webpack_unused_export__ = ValidationFindingScopeType;
__webpack_unused_export__ = ValidationFindingType;
__webpack_unused_export__ = errorTypeRegistries;
__webpack_unused_export__ = paginateDescribeActivations;
__webpack_unused_export__ = paginateDescribeAssociationExecutionTargets;
__webpack_unused_export__ = paginateDescribeAssociationExecutions;
__webpack_unused_export__ = paginateDescribeAutomationExecutions;
__webpack_unused_export__ = paginateDescribeAutomationStepExecutions;
__webpack_unused_export__ = paginateDescribeAvailablePatches;
__webpack_unused_export__ = paginateDescribeEffectiveInstanceAssociations;
__webpack_unused_export__ = paginateDescribeEffectivePatchesForPatchBaseline;
__webpack_unused_export__ = paginateDescribeInstanceAssociationsStatus;
__webpack_unused_export__ = paginateDescribeInstanceInformation;
__webpack_unused_export__ = paginateDescribeInstancePatchStates;
__webpack_unused_export__ = paginateDescribeInstancePatchStatesForPatchGroup;
__webpack_unused_export__ = paginateDescribeInstancePatches;
__webpack_unused_export__ = paginateDescribeInstanceProperties;
__webpack_unused_export__ = paginateDescribeInventoryDeletions;
__webpack_unused_export__ = paginateDescribeMaintenanceWindowExecutionTaskInvocations;
__webpack_unused_export__ = paginateDescribeMaintenanceWindowExecutionTasks;
__webpack_unused_export__ = paginateDescribeMaintenanceWindowExecutions;
__webpack_unused_export__ = paginateDescribeMaintenanceWindowSchedule;
__webpack_unused_export__ = paginateDescribeMaintenanceWindowTargets;
__webpack_unused_export__ = paginateDescribeMaintenanceWindowTasks;
__webpack_unused_export__ = paginateDescribeMaintenanceWindows;
__webpack_unused_export__ = paginateDescribeMaintenanceWindowsForTarget;
__webpack_unused_export__ = paginateDescribeOpsItems;
__webpack_unused_export__ = paginateDescribeParameters;
__webpack_unused_export__ = paginateDescribePatchBaselines;
__webpack_unused_export__ = paginateDescribePatchGroups;
__webpack_unused_export__ = paginateDescribePatchProperties;
__webpack_unused_export__ = paginateDescribeSessions;
__webpack_unused_export__ = paginateGetInventory;
__webpack_unused_export__ = paginateGetInventorySchema;
__webpack_unused_export__ = paginateGetOpsSummary;
__webpack_unused_export__ = paginateGetParameterHistory;
__webpack_unused_export__ = paginateGetParametersByPath;
__webpack_unused_export__ = paginateGetResourcePolicies;
__webpack_unused_export__ = paginateListAssociationVersions;
__webpack_unused_export__ = paginateListAssociations;
__webpack_unused_export__ = paginateListCloudConnectors;
__webpack_unused_export__ = paginateListCommandInvocations;
__webpack_unused_export__ = paginateListCommands;
__webpack_unused_export__ = paginateListComplianceItems;
__webpack_unused_export__ = paginateListComplianceSummaries;
__webpack_unused_export__ = paginateListDocumentVersions;
__webpack_unused_export__ = paginateListDocuments;
__webpack_unused_export__ = paginateListNodes;
__webpack_unused_export__ = paginateListNodesSummary;
__webpack_unused_export__ = paginateListOpsItemEvents;
__webpack_unused_export__ = paginateListOpsItemRelatedItems;
__webpack_unused_export__ = paginateListOpsMetadata;
__webpack_unused_export__ = paginateListResourceComplianceSummaries;
__webpack_unused_export__ = paginateListResourceDataSync;
__webpack_unused_export__ = paginateValidateCloudConnector;
__webpack_unused_export__ = waitForCommandExecuted;
__webpack_unused_export__ = waitUntilCommandExecuted;


/***/ })

};
