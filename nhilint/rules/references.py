"""Framework references a rule may cite, with their titles (shown by `nhilint explain` and the docs)."""

REFERENCES: dict[str, str] = {
    # OWASP Top 10 Non-Human Identities Risks (2025)
    "OWASP-NHI1": "OWASP NHI Top 10: NHI1 Improper Offboarding",
    "OWASP-NHI2": "OWASP NHI Top 10: NHI2 Secret Leakage",
    "OWASP-NHI3": "OWASP NHI Top 10: NHI3 Vulnerable Third-Party NHI",
    "OWASP-NHI4": "OWASP NHI Top 10: NHI4 Insecure Authentication",
    "OWASP-NHI5": "OWASP NHI Top 10: NHI5 Overprivileged NHI",
    "OWASP-NHI7": "OWASP NHI Top 10: NHI7 Long-Lived Secrets",
    "OWASP-NHI9": "OWASP NHI Top 10: NHI9 NHI Reuse",
    # OWASP Agentic AI - Threats and Mitigations
    "OWASP-AGENTIC-T2": "OWASP Agentic AI Threats: T2 Tool Misuse",
    "OWASP-AGENTIC-T3": "OWASP Agentic AI Threats: T3 Privilege Compromise",
    "OWASP-AGENTIC-T8": "OWASP Agentic AI Threats: T8 Repudiation and Untraceability",
    "OWASP-AGENTIC-T9": "OWASP Agentic AI Threats: T9 Identity Spoofing and Impersonation",
    "OWASP-AGENTIC-T10": "OWASP Agentic AI Threats: T10 Overwhelming Human in the Loop",
    "OWASP-AGENTIC-T13": "OWASP Agentic AI Threats: T13 Rogue Agents in Multi-Agent Systems",
    # CSA MAESTRO threat-modelling layers
    "MAESTRO-L3": "CSA MAESTRO: Layer 3 Agent Frameworks",
    "MAESTRO-L4": "CSA MAESTRO: Layer 4 Deployment and Infrastructure",
    "MAESTRO-L5": "CSA MAESTRO: Layer 5 Evaluation and Observability",
    "MAESTRO-L6": "CSA MAESTRO: Layer 6 Security and Compliance",
    "MAESTRO-L7": "CSA MAESTRO: Layer 7 Agent Ecosystem",
    # NIST AI Risk Management Framework 1.0
    "NIST-AI-RMF-GOVERN-1.6": "NIST AI RMF: GOVERN 1.6 inventory of AI systems",
    "NIST-AI-RMF-GOVERN-2.1": "NIST AI RMF: GOVERN 2.1 roles, responsibilities and lines of communication",
    "NIST-AI-RMF-MANAGE-2.4": "NIST AI RMF: MANAGE 2.4 mechanisms to supersede, disengage or deactivate",
    "NIST-AI-RMF-MAP-3.5": "NIST AI RMF: MAP 3.5 processes for human oversight",
    "NIST-AI-RMF-MEASURE-2.7": "NIST AI RMF: MEASURE 2.7 security and resilience",
    # NIST Cybersecurity Framework 2.0
    "NIST-CSF-ID.AM-08": "NIST CSF 2.0: ID.AM-08 systems are managed throughout their life cycles",
    "NIST-CSF-GV.RR-02": "NIST CSF 2.0: GV.RR-02 roles, responsibilities and authorities are established",
    "NIST-CSF-PR.AA-01": "NIST CSF 2.0: PR.AA-01 identities and credentials are managed",
    "NIST-CSF-PR.AA-05": "NIST CSF 2.0: PR.AA-05 access permissions follow least privilege",
    "NIST-CSF-PR.DS-01": "NIST CSF 2.0: PR.DS-01 data at rest is protected",
    "NIST-CSF-PR.PS-04": "NIST CSF 2.0: PR.PS-04 log records are generated for continuous monitoring",
    "NIST-CSF-DE.CM-03": "NIST CSF 2.0: DE.CM-03 personnel activity and technology usage are monitored",
}
