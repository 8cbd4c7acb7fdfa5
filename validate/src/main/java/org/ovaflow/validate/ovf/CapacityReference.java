package org.ovaflow.validate.ovf;

/**
 * A Disk whose ovf:capacity is a property reference ({@code ${osDiskSize}}, as DSP0243 allows and VMware's nested
 * ESXi appliances write): the ProductSection property it names and what its default makes of the capacity.
 *
 * @param diskId    the Disk's ovf:diskId
 * @param reference the capacity as written, {@code ${key}}
 * @param key       the property key it names
 * @param value     the property's default (ovf:value), a whole number of the Disk's allocation units, when it
 *                  resolves; null otherwise
 * @param problem   why it does not resolve (no such property, no default, not a whole number, defaults that
 *                  disagree); null when it does
 */
public record CapacityReference(String diskId, String reference, String key, String value, String problem) {

    public boolean resolved() {
        return problem == null;
    }
}
