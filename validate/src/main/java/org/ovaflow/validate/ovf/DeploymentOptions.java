package org.ovaflow.validate.ovf;

import java.util.List;
import java.util.Set;

/** The DeploymentOptionSection's configuration ids and the one a deployment gets when nobody chooses. */
record DeploymentOptions(List<String> ids, String defaultId) {

    static final DeploymentOptions NONE = new DeploymentOptions(List.of(), null);

    /** Reads the envelope's DeploymentOptionSection; the default is ovf:default="true", else the first option. */
    static DeploymentOptions of(OvfElement envelope) {
        return envelope.firstChild("DeploymentOptionSection")
                .map(section -> {
                    // a Configuration without an id names nothing an Item could refer to: not an option
                    List<OvfElement> configurations = section.children("Configuration").stream()
                            .filter(c -> c.attribute("id") != null).toList();
                    List<String> ids = configurations.stream().map(c -> c.attribute("id")).toList();
                    String defaultId = configurations.stream()
                            .filter(c -> "true".equalsIgnoreCase(trimmed(c.attribute("default"))))
                            .map(c -> c.attribute("id"))
                            .findFirst()
                            .orElse(ids.isEmpty() ? null : ids.get(0));
                    return new DeploymentOptions(ids, defaultId);
                })
                .orElse(NONE);
    }

    /**
     * Whether an element carrying ovf:configuration="a b" is part of the default deployment. Elements without the
     * attribute always are; so is everything when the descriptor defines no options to choose between.
     */
    boolean includesDefault(String configurationAttribute) {
        if (configurationAttribute == null || defaultId == null) {
            return true;
        }
        return Set.of(configurationAttribute.trim().split("\\s+")).contains(defaultId);
    }

    private static String trimmed(String value) {
        return value == null ? null : value.trim();
    }
}
