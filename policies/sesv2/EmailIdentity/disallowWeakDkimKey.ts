import * as aws from "@pulumi/aws";
import { type ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { dkimKeyLengthBits, MIN_DKIM_KEY_BITS, rsaPrivateKeyBits } from "../../../lib/dkim";
import { noteUnknown } from "../../util/unknown";

/**
 * Easy DKIM keys below 2048 bits, and bring-your-own DKIM keys below 2048 bits.
 *
 * @link https://docs.aws.amazon.com/ses/latest/dg/send-email-authentication-dkim-easy.html
 * @link https://www.rfc-editor.org/rfc/rfc8301#section-3.2
 */
export const disallowWeakDkimKey: ResourceValidationPolicy = {
  name: "aws-sesv2-emailidentity-disallow-weak-dkim-key",
  description: `Checks that an SES identity signs with a DKIM key of at least ${MIN_DKIM_KEY_BITS} bits.`,
  enforcementLevel: "mandatory",
  remediationSteps:
    "RFC 8301 says signers should use 2048-bit RSA keys: 1024-bit keys can be factored by a well-funded attacker, who could then sign mail as the domain, and some receivers already treat them as weak. " +
    "Set mail-infra:dkimSigningKeyLength to RSA_2048_BIT (dkimSigningAttributes.nextSigningKeyLength). SES rotates to the new key by itself; the DKIM CNAMEs stay the same. For bring-your-own DKIM, generate a 2048-bit key and publish its new public key.",
  validateResource: validateResourceOfType(
    aws.sesv2.EmailIdentity,
    noteUnknown((identity, args, reportViolation) => {
      if (identity.emailIdentity.includes("@")) {
        args.notApplicable("E-mail address identities are signed with their domain's DKIM key.");
      }
      const dkim = identity.dkimSigningAttributes;
      const ownKey = dkim?.domainSigningPrivateKey;
      if (ownKey !== undefined && ownKey !== "") {
        // Bring-your-own DKIM: judge the key itself, never print it.
        const bits = rsaPrivateKeyBits(ownKey);
        if (bits !== undefined && bits < MIN_DKIM_KEY_BITS) {
          reportViolation(`The bring-your-own DKIM private key of ${identity.emailIdentity} is a ${bits}-bit RSA key, weaker than ${MIN_DKIM_KEY_BITS} bits.`);
        }
        return;
      }
      const length = dkim?.nextSigningKeyLength;
      if (length === undefined || length === "") return; // SES's default for Easy DKIM is RSA_2048_BIT.
      const bits = dkimKeyLengthBits(length);
      if (bits === undefined || bits < MIN_DKIM_KEY_BITS) {
        reportViolation(
          `Easy DKIM for ${identity.emailIdentity} signs with ${length}${bits ? ` (${bits} bits)` : ""}, weaker than ${MIN_DKIM_KEY_BITS} bits. Use RSA_2048_BIT.`,
        );
      }
    }),
  ),
};
