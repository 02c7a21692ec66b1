using Aiops.Lab.App;

// The lab's instrumented app. Listens on --urls / ASPNETCORE_URLS (default http://127.0.0.1:5090); settings: "Lab" section.
LabApplication.Create(args).Run();
